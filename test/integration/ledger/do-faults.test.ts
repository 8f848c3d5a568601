/**
 * Failures of the Durable Object backend: a failure inside the object rolls its whole transaction back, and every
 * failed call surfaces as StoreUnavailableError (never a made-up result). Transport failures are injected at the
 * binding (do-fault-namespace.ts); failures inside the object are real SQLite errors, caused by dropping a table.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDurableObjectLedger } from "../../../src/ledger/durable-object";
import { migrateTenantLedger } from "../../../src/ledger/durable-object/schema";
import { StoreUnavailableError } from "../../../src/ledger/types";
import { admitOk, admitReq, freshAccount, fund, settleReq, uid } from "./contract-helpers";
import { connectionLost, faultSwitch, faultyNamespace } from "./do-fault-namespace";
import { allEntries, checkInvariant } from "./invariant";

function tenantStub(tenantId: string) {
  return env.TENANT_LEDGER.get(env.TENANT_LEDGER.idFromName(tenantId));
}

async function sqlIn(tenantId: string, statement: string): Promise<void> {
  await runInDurableObject(tenantStub(tenantId), (_, state) => {
    state.storage.sql.exec(statement);
  });
}

async function restoreSchema(tenantId: string): Promise<void> {
  await runInDurableObject(tenantStub(tenantId), (_, state) => migrateTenantLedger(state.storage.sql));
}

describe("failures inside the TenantLedger roll back the whole step", () => {
  it("settle failing at its last write leaves the hold open and the balance untouched", async () => {
    const { ledger } = createDurableObjectLedger({ tenants: env.TENANT_LEDGER, keys: env.KEY_DIRECTORY });
    const a = freshAccount();
    await fund(ledger, a, 1_000_000);
    const { req } = await admitOk(ledger, a);
    const balance = await ledger.balance(a.keyId, a.tenantId);
    const entries = await allEntries(ledger, a.keyId, a.tenantId);
    // Settle closes the hold and moves the money before it writes the usage event; without that table it fails.
    await sqlIn(a.tenantId, "DROP TABLE usage_events");
    await expect(ledger.settle(settleReq(a, req.requestId, 100))).rejects.toBeInstanceOf(StoreUnavailableError);
    await restoreSchema(a.tenantId);
    expect(await ledger.balance(a.keyId, a.tenantId)).toEqual(balance);
    expect(await allEntries(ledger, a.keyId, a.tenantId)).toEqual(entries);
    expect(await ledger.settle(settleReq(a, req.requestId, 100))).toMatchObject({ kind: "settled", charged: 100 });
    await checkInvariant(ledger, a.keyId, a.tenantId, { atRest: true });
  });

  it("admit failing after the reserve was written remembers nothing (the request id may be retried)", async () => {
    const { ledger } = createDurableObjectLedger({ tenants: env.TENANT_LEDGER, keys: env.KEY_DIRECTORY });
    const a = freshAccount();
    await fund(ledger, a, 1_000_000);
    const task = { id: uid("task"), fingerprint: "fp", limits: { max_calls: 1 }, ttlMs: 600_000 };
    const req = admitReq(a, { task });
    // The fingerprint is the last thing an admitted task call records.
    await sqlIn(a.tenantId, "DROP TABLE task_fingerprints");
    await expect(ledger.admit(req)).rejects.toBeInstanceOf(StoreUnavailableError);
    await restoreSchema(a.tenantId);
    expect(await ledger.balance(a.keyId, a.tenantId)).toMatchObject({ balance: 1_000_000, held: 0, openHolds: 0 });
    expect((await allEntries(ledger, a.keyId, a.tenantId)).map((e) => e.type)).toEqual(["topup"]);
    // Neither the request id nor the task call was counted.
    expect(await ledger.admit(req)).toMatchObject({ kind: "admitted" });
    await checkInvariant(ledger, a.keyId, a.tenantId);
  });
});

describe("transport failures", () => {
  function faulty() {
    const sw = faultSwitch();
    const made = createDurableObjectLedger({
      tenants: faultyNamespace(env.TENANT_LEDGER, sw),
      keys: faultyNamespace(env.KEY_DIRECTORY, sw),
    });
    return { sw, ...made };
  }

  it("reads are retried once after a retryable error; writes that are not idempotent are not", async () => {
    const { sw, ledger } = faulty();
    const a = freshAccount();
    await fund(ledger, a, 1_000_000);
    let failures = 0;
    sw.failing = () => failures++ === 0;
    sw.down = true;
    expect(await ledger.balance(a.keyId, a.tenantId)).toMatchObject({ balance: 1_000_000 });
    expect(sw.calls.filter((c) => c === "balance")).toHaveLength(2);
    failures = 0;
    const req = admitReq(a);
    await expect(ledger.admit(req)).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(sw.calls.filter((c) => c === "admit")).toHaveLength(1);
    sw.down = false;
    expect(await ledger.admit(req)).toMatchObject({ kind: "admitted" });
  });

  it("a persistent failure becomes StoreUnavailableError (cause kept); an overloaded object is not retried", async () => {
    const { sw, ledger, keys } = faulty();
    const a = freshAccount();
    sw.down = true;
    const rejection = await ledger.balance(a.keyId, a.tenantId).catch((err: unknown) => err);
    expect(rejection).toBeInstanceOf(StoreUnavailableError);
    expect((rejection as Error).cause).toMatchObject({ message: connectionLost().message, retryable: true });
    await expect(keys.get(uid("key"))).rejects.toBeInstanceOf(StoreUnavailableError);
    // sweep() covers the tenants this facade has routed to, so it reports the outage instead of a count of 0.
    await expect(ledger.sweep()).rejects.toBeInstanceOf(StoreUnavailableError);

    let attempts = 0;
    const overloaded = Object.assign(new Error("Durable Object is overloaded."), { retryable: true, overloaded: true });
    const { ledger: busy } = createDurableObjectLedger({
      tenants: new Proxy(env.TENANT_LEDGER, {
        get(target, prop) {
          if (prop === "get") {
            return () => ({
              balance: () => {
                attempts++;
                return Promise.reject(overloaded);
              },
            });
          }
          const value: unknown = Reflect.get(target, prop);
          return typeof value === "function" ? value.bind(target) : value;
        },
      }),
      keys: env.KEY_DIRECTORY,
    });
    await expect(busy.balance(a.keyId, a.tenantId)).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(attempts).toBe(1);
  });

  it("key create: directory first; if the tenant index write fails the key is unlisted until a revoke repairs it", async () => {
    const { sw, keys } = faulty();
    const tenantId = uid("tenant");
    const record = { keyId: uid("k"), tenantId, hash: "cd".repeat(32), prefix: "gw_y", createdAt: 1 };
    sw.failing = (method) => method === "indexKey";
    sw.down = true;
    await expect(keys.create(record)).rejects.toBeInstanceOf(StoreUnavailableError);
    sw.down = false;
    // The id is taken (the secret was never handed out, so the record is unusable) and not listed.
    expect(await keys.get(record.keyId)).toEqual(record);
    expect(await keys.list(tenantId)).toEqual([]);
    expect(await keys.create(record)).toBe(false);
    expect(await keys.revoke(record.keyId, 9)).toEqual({ ...record, revokedAt: 9 });
    expect(await keys.list(tenantId)).toEqual([{ ...record, revokedAt: 9 }]);
  });
});
