import { expect } from "vitest";
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
