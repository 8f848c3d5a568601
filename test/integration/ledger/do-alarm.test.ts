/**
 * Alarm-driven hold expiry of the TenantLedger: nothing has to call sweep() for an abandoned hold to be billed.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDurableObjectLedger } from "../../../src/ledger/durable-object";
import { admitOk, freshAccount, fund, settleReq, voidReq } from "./contract-helpers";
import { allEntries, checkInvariant } from "./invariant";

const LONG = 600_000;

function setup() {
  const { ledger } = createDurableObjectLedger({ tenants: env.TENANT_LEDGER, keys: env.KEY_DIRECTORY });
  const a = freshAccount();
  const stub = env.TENANT_LEDGER.get(env.TENANT_LEDGER.idFromName(a.tenantId));
  const alarmAt = () => runInDurableObject(stub, (_, state) => state.storage.getAlarm());
  return { ledger, a, stub, alarmAt };
}

/** Waits until the clock has passed `at`, without asserting anything about time itself. */
async function waitPast(at: number): Promise<void> {
  while (Date.now() <= at) await scheduler.wait(Math.max(1, at - Date.now() + 1));
}

describe("TenantLedger alarm", () => {
  it("is armed at the earliest open hold's expiry and cleared when no hold is open", async () => {
    const { ledger, a, alarmAt } = setup();
    await fund(ledger, a, 1_000_000);
    expect(await alarmAt()).toBeNull();
    const before = Date.now();
    const late = await admitOk(ledger, a, { holdTtlMs: LONG * 2 });
    const early = await admitOk(ledger, a, { holdTtlMs: LONG });
    const armed = await alarmAt();
    expect(armed).toBeGreaterThanOrEqual(before + LONG);
    expect(armed).toBeLessThanOrEqual(Date.now() + LONG);
    await ledger.settle(settleReq(a, early.req.requestId, 10));
    expect(await alarmAt()).toBeGreaterThanOrEqual(before + LONG * 2);
    await ledger.void(voidReq(a, late.req.requestId));
    expect(await alarmAt()).toBeNull();
  });

  it("bills due holds at the full hold (flag expired), leaves later ones open and re-arms for them", async () => {
    const { ledger, a, stub, alarmAt } = setup();
    await fund(ledger, a, 1_000_000);
    const due = await admitOk(ledger, a, { holdTtlMs: 1 });
    // The object stamped the hold with its clock before this point, so the hold is due once ours passes it + 1 ms.
    const dueBy = Date.now() + 1;
    const later = await admitOk(ledger, a, { holdTtlMs: LONG });
    await waitPast(dueBy);
    // The alarm may already have fired on its own; either way, running it now must leave the same state.
    await runDurableObjectAlarm(stub);
    const balance = await ledger.balance(a.keyId, a.tenantId);
    expect(balance).toMatchObject({ held: later.res.reserved, openHolds: 1, billed: due.res.reserved });
    const entries = await allEntries(ledger, a.keyId, a.tenantId);
    const expired = entries.filter((e) => e.type === "expire");
    expect(expired).toEqual([
      expect.objectContaining({
        requestId: due.req.requestId,
        amount: 0,
        charged: due.res.reserved,
        flags: ["expired"],
      }),
    ]);
    expect(await ledger.settle(settleReq(a, due.req.requestId, 1))).toEqual({
      kind: "already_resolved",
      terminal: "expired",
    });
    // The usage event is written by the object on its own, so it must know which tenant it is.
    const [usage] = await ledger.usage(a.tenantId, { keyId: a.keyId });
    expect(usage).toMatchObject({
      requestId: due.req.requestId,
      tenantId: a.tenantId,
      keyId: a.keyId,
      cost: due.res.reserved,
      flags: ["expired"],
    });
    expect(await alarmAt()).toBeGreaterThan(Date.now() + LONG / 2);
    await checkInvariant(ledger, a.keyId, a.tenantId);
  });

  it("running the alarm before anything is due changes nothing and keeps it armed", async () => {
    const { ledger, a, stub, alarmAt } = setup();
    await fund(ledger, a, 1_000_000);
    const open = await admitOk(ledger, a, { holdTtlMs: LONG });
    const armed = await alarmAt();
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await ledger.balance(a.keyId, a.tenantId)).toMatchObject({
      held: open.res.reserved,
      openHolds: 1,
      billed: 0,
    });
    expect(await alarmAt()).toBe(armed);
  });
});
