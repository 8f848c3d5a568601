import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { createApp } from "../../src/app";
import { isolateState, type Services } from "../../src/context";
import { parseEnv } from "../../src/env";
import { selectLedger } from "../../src/ledger/select";
import type { KeyStore, Ledger } from "../../src/ledger/types";
import type { CompiledPolicy } from "../../src/policy/types";
import generated from "../.generated/policy.json";
import { gw } from "../helpers/gateway";
import { ADMIN_SECRET_FOR_TESTS } from "../helpers/keys";
import { createReferenceStore } from "./ledger/reference-ledger";

/**
 * Helpers for the admin and tenant API tests. `admin*` call the Worker under test (exports.default.fetch) with the
 * admin secret; `spyGateway` builds the production app around an in-memory store that records every call, for the
 * checks that a refused request never reaches the store.
 */

export const policy = generated as unknown as CompiledPolicy;

export function admin(path: string, init: RequestInit & { secret?: string | null } = {}): Promise<Response> {
  const { secret = ADMIN_SECRET_FOR_TESTS, ...rest } = init;
  return gw(path, { ...rest, key: secret });
}

export function adminPost(path: string, body: unknown, init: RequestInit & { secret?: string | null } = {}) {
  return admin(path, { ...init, method: "POST", body: JSON.stringify(body) });
}

export interface CreatedKey {
  object: "api_key";
  key: string;
  key_id: string;
  prefix: string;
  tenant: string;
  name: string | null;
  status: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  routes: string[] | null;
  scopes: string[];
  tags: string[];
}

export async function createKey(body: Record<string, unknown>): Promise<CreatedKey> {
  const res = await adminPost("/admin/keys", body);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as CreatedKey;
}

export async function topUp(keyId: string, amount: number, reference = crypto.randomUUID()) {
  const res = await adminPost(`/admin/keys/${keyId}/credits`, { amount, reference, type: "topup" });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as { balance: number };
}

export async function errorOf(res: Response): Promise<{ code: string; param: string | null; message: string }> {
  const body = (await res.json()) as { error: { code: string; param: string | null; message: string } };
  return body.error;
}

/** The ledger and key store the Worker under test uses (same Durable Object namespaces), for seeding usage events. */
export function workerStores(): { ledger: Ledger; keys: KeyStore } {
  const raw = env as unknown as Record<string, unknown>;
  const backend = selectLedger(parseEnv(raw), raw);
  return { ledger: backend.ledger, keys: backend.keys };
}

function recording<T extends object>(name: string, target: T, calls: string[]): T {
  return new Proxy(target, {
    get(t, prop) {
      const value: unknown = Reflect.get(t, prop);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        calls.push(`${name}.${String(prop)}`);
        return value.apply(t, args);
      };
    },
  });
}

/** The production app over an in-memory store; `calls` lists every store call made. */
export function spyGateway(vars: Record<string, unknown> = { ADMIN_SECRET: ADMIN_SECRET_FOR_TESTS }) {
  const calls: string[] = [];
  const store = createReferenceStore();
  const services: Services = {
    env: parseEnv({ ...vars }),
    policy,
    ...isolateState(),
    providers: new Map(),
    ledger: recording("ledger", store.ledger, calls),
    keys: recording("keys", store.keys, calls),
    outbox: undefined,
    sweep: async () => 0,
    fetch: () => Promise.reject(new Error("no upstream calls in admin tests")),
    now: () => Date.now(),
    random: Math.random,
  };
  const app = createApp(() => services);
  const fetch = (path: string, init: RequestInit & { secret?: string | null } = {}) => {
    const { secret = ADMIN_SECRET_FOR_TESTS, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (secret !== null && !headers.has("authorization")) headers.set("authorization", `Bearer ${secret}`);
    if (rest.body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
    return app.fetch(new Request(`http://gateway.test${path}`, { ...rest, headers }), vars);
  };
  return { fetch, calls, services, setDown: store.setDown };
}

/**
 * Bills one request to an account straight through the Worker's ledger (admit + settle), which writes the usage
 * event the admin and tenant usage APIs read. The account must hold at least 1000 micro-credits.
 */
export async function billOne(accountId: string, tenantId: string, model: string, at = Date.now()): Promise<string> {
  const { ledger } = workerStores();
  const requestId = `req_${crypto.randomUUID().replaceAll("-", "")}`;
  const admitted = await ledger.admit({
    keyId: accountId,
    tenantId,
    requestId,
    promptCost: 100,
    outputPricePerMtok: 1_000_000,
    maxOutputTokens: 100,
    minOutputTokens: 1,
    promptTokens: 10,
    limits: {},
    holdTtlMs: 600_000,
  });
  expect(admitted.kind).toBe("admitted");
  const settled = await ledger.settle({
    keyId: accountId,
    tenantId,
    requestId,
    cost: 120,
    inputTokens: 10,
    outputTokens: 20,
    flags: [],
    usage: {
      requestId,
      at,
      tenantId,
      keyId: accountId,
      route: "test",
      model,
      provider: "fake-openai",
      inputTokens: 10,
      outputTokens: 20,
      cost: 120,
      cache: "none",
      latencyMs: 3,
      status: 200,
      policyVersion: policy.version,
      flags: [],
    },
  });
  expect(settled.kind).toBe("settled");
  return requestId;
}
