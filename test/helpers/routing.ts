import { expect } from "vitest";
import { embedText } from "../../local/embeddings";
import learnedTest from "../fixtures/policies/routers/learned-test.json";
import { type Account, type Backend, chat, chatBody, entriesOf, requestIdOf } from "./billing";

/**
 * Shared by the routing tests (test/integration/routing-*.test.ts): one chat call with its routing headers read,
 * and the "billed exactly once" check every tier decision must keep.
 */

/** The routing decision headers of a response (null when absent). */
export function routingHeaders(res: Response) {
  const h = (name: string) => res.headers.get(name);
  return {
    model: h("x-gateway-model"),
    tier: h("x-gateway-tier"),
    decidedBy: h("x-gateway-decided-by"),
    routerTier: h("x-gateway-router-tier"),
    routerDecidedBy: h("x-gateway-router-decided-by"),
    routerScore: h("x-gateway-router-score"),
    degraded: h("x-gateway-degraded"),
    cache: h("x-gateway-cache"),
  };
}

export interface Asked {
  res: Response;
  body: { model: string; choices: { message: { content: string }; logprobs: unknown }[]; error?: { code: string } };
  id: string;
  h: (name: string) => string | null;
}

/** A JSON chat call for `model` with one user message, its body parsed. */
export async function ask(
  b: Backend,
  a: Account,
  model: string,
  text: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<Asked> {
  const res = await chat(b, a, chatBody(model, text, extra), headers);
  const body = (await res.json()) as Asked["body"];
  return { res, body, id: requestIdOf(res), h: (name) => res.headers.get(name) };
}

/** Exactly one reserve and one terminal entry for the ledger request id; returns the terminal one. */
export async function billedOnce(b: Backend, a: Account, requestId: string) {
  const entries = await entriesOf(b, a, requestId);
  expect(entries.filter((e) => e.type === "reserve")).toHaveLength(1);
  const terminal = entries.filter((e) => e.type === "settle" || e.type === "void" || e.type === "expire");
  expect(terminal).toHaveLength(1);
  return terminal[0];
}

/** The buckets of the fake embedder's vectors that the test router (routers/learned-test.json) gives any weight. */
const WEIGHTED = learnedTest.model.projection.flatMap((row) => row.flatMap((w, i) => (w === 0 ? [] : [i])));
const TEST_DIMS = learnedTest.embedder.dims;

/**
 * A random UUID to append to `text` that leaves the test router's input as it was, but for the common scale the
 * longer text's normalisation brings: the UUID's words and bigrams fall neither in a bucket the router weighs nor in
 * one the text already uses (so every bucket of the text keeps its ratio). A plain random suffix lands in a weighted
 * bucket now and then and flips the router's verdict: a flaky test.
 */
export function routerNeutralNonce(text: string): string {
  const base = embedText(text, TEST_DIMS);
  const used = base.flatMap((v, i) => (v === 0 ? [] : [i]));
  const [ref] = used;
  if (ref === undefined) throw new Error("routerNeutralNonce needs a text with words");
  for (;;) {
    const nonce = crypto.randomUUID();
    const withNonce = embedText(`${text} ${nonce}`, TEST_DIMS);
    const k = (withNonce[ref] ?? 0) / (base[ref] ?? 1);
    const kept = used.every((i) => Math.abs((withNonce[i] ?? 0) - k * (base[i] ?? 0)) < 1e-12);
    if (kept && WEIGHTED.every((i) => (base[i] ?? 0) !== 0 || withNonce[i] === 0)) return nonce;
  }
}
