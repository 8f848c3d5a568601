/**
 * A ledger-only Worker for bench/ledger-shards.ts: the production Durable Object ledger (facade, group commit,
 * TenantLedger, KeyDirectory) with no gateway in front, so a request is exactly one admission and one settlement of
 * one key. `?tenant=<id>&shards=<n>&key=<i>`:
 *   POST /fund  credits keys 0..key-1 of the tenant (10^15 micro-credits each, idempotent per key);
 *   POST /pair  admits one request for key <i> and settles it, both through the facade (group-committed with every
 *               other request of this isolate), answering 200 when both went through.
 */
import { createDurableObjectLedger, type KeyDirectory, type TenantLedger } from "../../src/ledger/durable-object";
import type { DurableObjectLedger } from "../../src/ledger/durable-object/facade";

export { KeyDirectory, TenantLedger } from "../../src/ledger/durable-object";

interface Env {
  TENANT_LEDGER: DurableObjectNamespace<TenantLedger>;
  KEY_DIRECTORY: DurableObjectNamespace<KeyDirectory>;
}

// One facade per shard count and isolate: its group commit is what gathers concurrent requests into one call.
const ledgers = new Map<number, DurableObjectLedger>();

function ledgerFor(env: Env, shards: number): DurableObjectLedger {
  let ledger = ledgers.get(shards);
  if (ledger === undefined) {
    ledger = createDurableObjectLedger({
      tenants: env.TENANT_LEDGER,
      keys: env.KEY_DIRECTORY,
      shards: () => shards,
    }).ledger;
    ledgers.set(shards, ledger);
  }
  return ledger;
}

let sequence = 0;

async function pair(ledger: DurableObjectLedger, tenantId: string, keyId: string): Promise<Response> {
  const requestId = `r-${Date.now().toString(36)}-${(sequence++).toString(36)}-${Math.random().toString(36).slice(2)}`;
  const admitted = await ledger.admit({
    keyId,
    tenantId,
    requestId,
    promptCost: 10,
    outputPricePerMtok: 2_000_000,
    maxOutputTokens: 64,
    minOutputTokens: 1,
    promptTokens: 10,
    limits: {},
    holdTtlMs: 600_000,
  });
  if (admitted.kind !== "admitted") return new Response(admitted.kind, { status: 409 });
  const settled = await ledger.settle({
    keyId,
    tenantId,
    requestId,
    cost: 100,
    inputTokens: 10,
    outputTokens: 64,
    flags: [],
    usage: {
      requestId,
      at: Date.now(),
      tenantId,
      keyId,
      inputTokens: 10,
      outputTokens: 64,
      cost: 100,
      cache: "none",
      latencyMs: 0,
      status: 200,
      policyVersion: "bench",
      flags: [],
    },
  });
  return new Response(settled.kind, { status: settled.kind === "settled" ? 200 : 409 });
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const tenantId = url.searchParams.get("tenant") ?? "bench";
    const shards = Number(url.searchParams.get("shards") ?? 1);
    const key = Number(url.searchParams.get("key") ?? 0);
    const ledger = ledgerFor(env, shards);
    if (url.pathname === "/pair") return await pair(ledger, tenantId, `k${key}`);
    if (url.pathname === "/fund") {
      await Promise.all(
        Array.from({ length: key }, (_, i) => ledger.credit(`k${i}`, tenantId, 1e15, `seed-k${i}`, "topup")),
      );
      return new Response("funded");
    }
    return new Response("ok");
  },
};
