import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { generateApiKey } from "../../../src/auth/api-key";
import { createDurableObjectLedger } from "../../../src/ledger/durable-object";
import type { UsageEvent } from "../../../src/ledger/types";
import { upstreamUrl } from "../../helpers/gateway";
import { ADMIN_SECRET_FOR_TESTS } from "../../helpers/keys";
import worker from "../../worker";

/**
 * Drives the Worker under test for the response-cache tests, on either cache backend. Every call gets its own
 * ExecutionContext and waits for its background work (cache writes, counters, settlement), so the next request sees
 * what the previous one stored: no polling, no sleeps. The ledger is the embedded one in both cases.
 */

export type CacheBackendName = "durable-object" | "upstash";
export const CACHE_BACKENDS: readonly CacheBackendName[] = ["durable-object", "upstash"];

// One env object per backend: the Worker builds its services once per env object.
export const ENVS: Record<CacheBackendName, Record<string, unknown>> = {
  "durable-object": env as unknown as Record<string, unknown>,
  upstash: { ...(env as unknown as Record<string, unknown>), CACHE_BACKEND: "upstash" },
};
/** The Upstash backend pointed at a closed port: a store that is down. */
export const STORE_DOWN_ENV: Record<string, unknown> = {
  ...(env as unknown as Record<string, unknown>),
  CACHE_BACKEND: "upstash",
  UPSTASH_VECTOR_REST_URL: "http://127.0.0.1:9",
  CACHE_TIMEOUT_MS: "2000",
};

const ledger = createDurableObjectLedger({ tenants: env.TENANT_LEDGER, keys: env.KEY_DIRECTORY });

export interface Caller {
  key: string;
  keyId: string;
  tenantId: string;
}

/** A fresh API key of `tenantId`, funded. */
export async function caller(tenantId: string, credits = 1_000_000_000): Promise<Caller> {
  const g = await generateApiKey();
  await ledger.keys.create({ keyId: g.keyId, tenantId, hash: g.hash, prefix: g.prefix, createdAt: Date.now() });
  await ledger.ledger.credit(g.keyId, tenantId, credits, `seed-${g.keyId}`, "topup");
  return { key: g.key, keyId: g.keyId, tenantId };
}

export interface Answer {
  res: Response;
  text: string;
  json: () => unknown;
  cache: string | null;
  requestId: string;
}

export async function send(
  backend: CacheBackendName | Record<string, unknown>,
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string>; key?: string },
): Promise<Answer> {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (init.key !== undefined) headers.authorization = `Bearer ${init.key}`;
  if (init.body !== undefined) headers["content-type"] ??= "application/json";
  const req = new Request(`http://gateway.test${path}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers,
    ...(init.body === undefined ? {} : { body: typeof init.body === "string" ? init.body : JSON.stringify(init.body) }),
  });
  const ctx = createExecutionContext();
  const workerEnv = typeof backend === "string" ? ENVS[backend] : backend;
  const res = await worker.fetch(req, workerEnv, ctx);
  const text = await res.text();
  await waitOnExecutionContext(ctx);
  return {
    res,
    text,
    json: () => JSON.parse(text) as unknown,
    cache: res.headers.get("x-gateway-cache"),
    requestId: res.headers.get("x-request-id") ?? "",
  };
}

export function chat(
  backend: CacheBackendName | Record<string, unknown>,
  who: Caller,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  return send(backend, "/v1/chat/completions", { body, headers, key: who.key });
}

export function ask(model: string, text: string, extra: Record<string, unknown> = {}) {
  return { model, messages: [{ role: "user", content: text }], temperature: 0, ...extra };
}

export function contentOf(a: Answer): string {
  const body = a.json() as { choices: { message: { content: string | null } }[] };
  return body.choices[0]?.message.content ?? "";
}

/** Chat calls the fake upstream received whose body mentions `nonce` (embeddings calls are not counted). */
export async function upstreamChats(nonce: string): Promise<number> {
  const res = await fetch(`${upstreamUrl()}/__requests?contains=${encodeURIComponent(nonce)}`);
  const records = (await res.json()) as { path: string }[];
  return records.filter((r) => r.path.endsWith("/chat/completions")).length;
}

export async function usageOf(who: Caller, requestId: string): Promise<UsageEvent | undefined> {
  const events = await ledger.ledger.usage(who.tenantId, { keyId: who.keyId, limit: 1000 });
  return events.find((e) => e.requestId === requestId);
}

export function admin(backend: CacheBackendName, path: string, body?: unknown) {
  return send(backend, path, {
    ...(body === undefined ? {} : { body }),
    headers: { authorization: `Bearer ${ADMIN_SECRET_FOR_TESTS}` },
  });
}

export function nonce(): string {
  return `n${crypto.randomUUID().replace(/-/g, "").slice(0, 10)}`;
}
