import { createExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { generateApiKey } from "../../src/auth/api-key";
import type { ChatRequest } from "../../src/canonical/chat";
import { reservedPromptTokens } from "../../src/gateway/billing/pricing";
import { createDurableObjectLedger } from "../../src/ledger/durable-object";
import type { Balance, KeyStore, Ledger, LedgerEntry, UsageEvent } from "../../src/ledger/types";
import { createUpstashLedger } from "../../src/ledger/upstash";
import { estimateTextTokens } from "../../src/routing/text-tokens";
import { estimatePromptTokens } from "../../src/routing/token-estimate";
import type { FakeAnswer } from "../servers/recorder";
import worker from "../worker";
import { upstreamUrl } from "./gateway";

/**
 * Drives the Worker under test on either ledger backend, with fresh funded accounts, and reads what the ledger and
 * the fake upstream recorded. Prices of the `b-*` models (test/fixtures/policies/billing.yaml): 1 micro-credit per
 * input token, 3 per output token.
 */

export const PRICE = { input: 1, output: 3 } as const;
/** `credits.min_output_tokens` of the `billing` plan. */
export const MIN_OUTPUT_TOKENS = 16;

export type BackendName = "durable-object" | "upstash";

export interface Backend {
  name: BackendName;
  ledger: Ledger;
  keys: KeyStore;
  /** Calls the Worker the way a client would. */
  fetch(req: Request): Promise<Response>;
  /** The Worker's cron trigger (sweeps expired holds), awaited to the end. */
  scheduled(): Promise<void>;
  /** Upstash only: the REST front of this backend's own redis-server (fault injection). */
  front?: string;
}

declare global {
  namespace Cloudflare {
    interface Env {
      UPSTASH_REDIS_REST_URL: string;
      UPSTASH_REDIS_REST_TOKEN: string;
    }
  }
}

/** The Durable Object backend through the Worker's own entry (exports.default), as the test pool runs it. */
export function durableObjectBackend(): Backend {
  const { ledger, keys } = createDurableObjectLedger({ tenants: env.TENANT_LEDGER, keys: env.KEY_DIRECTORY });
  return {
    name: "durable-object",
    ledger,
    keys,
    fetch: (req) => exports.default.fetch(req),
    scheduled: () => runScheduled(env),
  };
}

/**
 * The same Worker on the Upstash backend: its default export called in-process with an env of our own (a different
 * env object makes the Worker build separate services) and a fresh ExecutionContext per request. A client
 * disconnect there is a direct cancel of the response body, without the runtime's request boundary in between.
 *
 * By default over a redis-server of our own (spawned once per name by the shared front's `/__control/spawn`), so
 * the faults a test injects (down, lost replies) never reach other test files, and theirs never reach it.
 * `shared: true` uses the store the Worker's bindings name instead: needed when settlements may go through the
 * durable outbox, which builds its ledger from those bindings (a restart of redis mid-run), so that the outbox
 * settles in the same store.
 */
export async function upstashBackend(opts: BackendOptions = {}): Promise<Backend> {
  let url = env.UPSTASH_REDIS_REST_URL;
  let token = env.UPSTASH_REDIS_REST_TOKEN;
  if (opts.shared !== true) {
    const name = encodeURIComponent(opts.instance ?? "billing");
    const res = await fetch(`${url}/__control/spawn?name=${name}`, { method: "POST" });
    if (!res.ok) throw new Error(`upstash front /__control/spawn answered ${res.status}: ${await res.text()}`);
    ({ url, token } = (await res.json()) as { url: string; token: string });
  }
  const workerEnv = {
    ...env,
    LEDGER_BACKEND: "upstash",
    UPSTASH_REDIS_REST_URL: url,
    UPSTASH_REDIS_REST_TOKEN: token,
    // Long enough that a key read before a store outage stays valid through it: refusals then come from admission.
    KEY_CACHE_TTL_MS: "60000",
  };
  const { ledger, keys } = createUpstashLedger({ url, token });
  return {
    name: "upstash",
    ledger,
    keys,
    fetch: async (req) => await worker.fetch(req, workerEnv, createExecutionContext()),
    scheduled: () => runScheduled(workerEnv),
    front: url,
  };
}

export interface BackendOptions {
  /** Use the store the Worker's bindings name (see upstashBackend). */
  shared?: boolean;
  /** Which spawned redis-server to use; a test file that injects faults names its own. Default "billing". */
  instance?: string;
}

export async function makeBackend(name: BackendName, opts: BackendOptions = {}): Promise<Backend> {
  return name === "upstash" ? await upstashBackend(opts) : durableObjectBackend();
}

async function runScheduled(workerEnv: object): Promise<void> {
  const pending: Promise<unknown>[] = [];
  const ctx = {
    waitUntil: (p: Promise<unknown>) => void pending.push(p),
    passThroughOnException: () => undefined,
    props: {},
  } as unknown as ExecutionContext;
  const controller = { scheduledTime: Date.now(), cron: "* * * * *", noRetry: () => undefined } as ScheduledController;
  await worker.scheduled(controller, workerEnv as Record<string, unknown>, ctx);
  await Promise.all(pending);
}

/**
 * Fault injection on a backend's own Upstash front: `down` (connections dropped), `up`, `restart-redis`, and
 * `lose-replies` (the next N store requests run, but their replies are lost), `delay?ms=N` (every reply waits N ms).
 */
export async function frontControl(
  b: Backend,
  action: "down" | "down?mode=503" | "up" | "restart-redis" | `lose-replies?count=${number}` | `delay?ms=${number}`,
) {
  if (b.front === undefined) throw new Error(`${b.name} has no Upstash front`);
  const res = await fetch(`${b.front}/__control/${action}`, { method: "POST" });
  if (!res.ok) throw new Error(`/__control/${action} answered ${res.status}`);
}

export interface Account {
  key: string;
  keyId: string;
  tenantId: string;
}

/** A fresh API key (its own credit account) on the backend, funded with `credits` micro-credits. */
export async function newAccount(b: Backend, credits: number, tenantId = "t-billing"): Promise<Account> {
  const g = await generateApiKey();
  const created = await b.keys.create({
    keyId: g.keyId,
    tenantId,
    hash: g.hash,
    prefix: g.prefix,
    createdAt: Date.now(),
  });
  if (!created) throw new Error(`key id ${g.keyId} already exists`);
  if (credits > 0) await b.ledger.credit(g.keyId, tenantId, credits, `seed-${g.keyId}`, "topup");
  return { key: g.key, keyId: g.keyId, tenantId };
}

export function chatBody(model: string, text: string, extra: Record<string, unknown> = {}) {
  return { model, messages: [{ role: "user", content: text }], ...extra };
}

export function request(account: Account, path: string, body: unknown, headers: Record<string, string> = {}): Request {
  return new Request(`http://gateway.test${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${account.key}`, "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

export function chat(b: Backend, account: Account, body: unknown, headers: Record<string, string> = {}) {
  return b.fetch(request(account, "/v1/chat/completions", body, headers));
}

/** The hold the gateway reserves for an OpenAI-shaped body granted `outputTokens` (billing.yaml prices). */
export function holdFor(body: { messages: unknown[] }, outputTokens: number) {
  const promptTokens = reservedPromptTokens(estimatePromptTokens(body as ChatRequest));
  const promptCost = promptTokens * PRICE.input;
  return { promptTokens, promptCost, hold: promptCost + outputTokens * PRICE.output };
}

export function costOf(inputTokens: number, outputTokens: number): number {
  return inputTokens * PRICE.input + outputTokens * PRICE.output;
}

/** What the gateway bills when it has to estimate: its prompt estimate, and the script-aware estimate of the output. */
export function estimatedCost(body: { messages: unknown[] }, delivered: string): number {
  return costOf(estimatePromptTokens(body as ChatRequest), estimateTextTokens(delivered));
}

/** Polls until the account has no open hold (every settlement landed); bounded, then fails with the last state. */
export async function settled(b: Backend, a: Account, timeoutMs = 15_000): Promise<Balance> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const balance = await b.ledger.balance(a.keyId, a.tenantId);
    if (balance.openHolds === 0) return balance;
    if (Date.now() > deadline) {
      throw new Error(`${b.name}: ${balance.openHolds} hold(s) still open on ${a.keyId} after ${timeoutMs} ms`);
    }
    await sleep(25);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Ledger entries of one request, oldest first. */
export async function entriesOf(b: Backend, a: Account, requestId: string): Promise<LedgerEntry[]> {
  const all = await b.ledger.entries(a.keyId, a.tenantId, { limit: 1000 });
  return all.filter((e) => e.requestId === requestId).reverse();
}

/** The terminal entry (settle, void or expire) of a request, once its hold resolved. */
export async function terminalOf(b: Backend, a: Account, requestId: string): Promise<LedgerEntry | undefined> {
  const entries = await entriesOf(b, a, requestId);
  return entries.find((e) => e.type === "settle" || e.type === "void" || e.type === "expire");
}

export async function usageOf(b: Backend, a: Account, requestId: string): Promise<UsageEvent | undefined> {
  const events = await b.ledger.usage(a.tenantId, { keyId: a.keyId, limit: 1000 });
  return events.find((e) => e.requestId === requestId);
}

export function requestIdOf(res: Response): string {
  const id = res.headers.get("x-request-id");
  if (id === null) throw new Error(`response ${res.status} has no x-request-id`);
  return id;
}

export interface FakeRecord {
  path: string;
  body: unknown;
  receivedAt: number;
  answer?: FakeAnswer;
}

/** What the fake upstream received (and answered) for requests whose body contains `contains`. */
export async function fakeCalls(contains: string): Promise<FakeRecord[]> {
  const res = await fetch(`${upstreamUrl()}/__requests?contains=${encodeURIComponent(contains)}`);
  return (await res.json()) as FakeRecord[];
}

/** Reads the SSE `data:` payloads of a response body to its end. */
export async function sseData(res: Response): Promise<string[]> {
  const text = await res.text();
  return dataOf(text);
}

export function dataOf(text: string): string[] {
  const out: string[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    const data = block
      .split(/\r?\n/)
      .filter((line) => line.startsWith("data:"))
      .map((line) => line.slice(5).trimStart());
    if (data.length > 0) out.push(data.join("\n"));
  }
  return out;
}

/**
 * Reads until `events` SSE data payloads have arrived, then cancels the body: a client that goes away mid-stream.
 * Returns the text read so far.
 */
export async function readThenDisconnect(res: Response, events: number): Promise<string> {
  const body = res.body;
  if (body === null) throw new Error("response has no body");
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (dataOf(text).length < events) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel();
  return text;
}

/** Characters of generated text in OpenAI chunks (what the gateway estimates tokens from when it must). */
export function contentOf(data: string[]): string {
  let text = "";
  for (const d of data) {
    if (d === "[DONE]") continue;
    const chunk = JSON.parse(d) as { choices?: { delta?: { content?: string | null } }[] };
    for (const c of chunk.choices ?? []) text += c.delta?.content ?? "";
  }
  return text;
}

/** The generated text of a JSON or streamed (to its `[DONE]`) OpenAI answer. */
export async function deliveredText(res: Response, stream: boolean): Promise<string> {
  if (stream) {
    const data = await sseData(res);
    if (data.at(-1) !== "[DONE]") throw new Error(`stream ended without [DONE]: ${data.at(-1)}`);
    return contentOf(data);
  }
  const json = (await res.json()) as { choices: { message: { content: string } }[] };
  return json.choices[0]?.message.content ?? "";
}

export async function errorCode(res: Response): Promise<string | undefined> {
  const body = (await res.json()) as { error?: { code?: string } };
  return body.error?.code;
}
