/**
 * The tenant's ledger lives in the object's SQLite storage, not in its memory: after the instance is thrown away
 * (as the runtime does on eviction, deploy or crash) a new instance serves the same accounts, holds, idempotency
 * records and alarm.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { createDurableObjectLedger } from "../../../src/ledger/durable-object";
import { admitOk, admitReq, freshAccount, fund, settleReq, uid } from "./contract-helpers";
import { allEntries, checkInvariant } from "./invariant";

const facade = () => createDurableObjectLedger({ tenants: env.TENANT_LEDGER, keys: env.KEY_DIRECTORY });

it("state survives the instance being discarded, and the new instance still expires holds with its tenant id", async () => {
  const { ledger, keys } = facade();
  const a = freshAccount();
  const stub = env.TENANT_LEDGER.get(env.TENANT_LEDGER.idFromName(a.tenantId));
  await fund(ledger, a, 1_000_000);
  const key = uid("idem");
  const idempotency = { key, bodyHash: "h", ttlMs: 600_000 };
  const done = await admitOk(ledger, a, { idempotency });
  const response = { status: 200, headers: { "content-type": "application/json" }, body: '{"ok":true}' };
  await ledger.settle(settleReq(a, done.req.requestId, 500, { idempotency: { key, response } }));
  const open = await admitOk(ledger, a, { holdTtlMs: 1 });
  const dueBy = Date.now() + 1;
  const record = { keyId: uid("k"), tenantId: a.tenantId, hash: "ab".repeat(32), prefix: "gw_x", createdAt: 7 };
  expect(await keys.create(record)).toBe(true);
  const balance = await ledger.balance(a.keyId, a.tenantId);
  const entries = await allEntries(ledger, a.keyId, a.tenantId);

  // Throw the live instance away; the next call constructs a new one over the same storage.
  await expect(runInDurableObject(stub, (_, state) => state.abort("test: discard instance"))).rejects.toThrow();

  const again = facade();
  expect(await again.ledger.balance(a.keyId, a.tenantId)).toEqual(balance);
  expect(await allEntries(again.ledger, a.keyId, a.tenantId)).toEqual(entries);
  expect(await again.ledger.admit(admitReq(a, { idempotency }))).toEqual({ kind: "replay", response });
  expect(await again.ledger.admit(admitReq(a, { requestId: open.req.requestId }))).toEqual({
    kind: "duplicate_request",
  });
  expect(await again.keys.list(a.tenantId)).toEqual([record]);

  // No RPC carrying the tenant id reaches the new instance before its alarm: it must have kept its own name.
  await expect(runInDurableObject(stub, (_, state) => state.abort("test: discard instance"))).rejects.toThrow();
  while (Date.now() <= dueBy) await scheduler.wait(2);
  await runDurableObjectAlarm(env.TENANT_LEDGER.get(env.TENANT_LEDGER.idFromName(a.tenantId)));
  const [expired] = await again.ledger.usage(a.tenantId, { limit: 1 });
  expect(expired).toMatchObject({ requestId: open.req.requestId, tenantId: a.tenantId, flags: ["expired"] });
  await checkInvariant(again.ledger, a.keyId, a.tenantId, { atRest: true });
});
