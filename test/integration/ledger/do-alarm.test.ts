/**
 * Alarm-driven hold expiry of the TenantLedger: nothing has to call sweep() for an abandoned hold to be billed. The
 * alarm is kept at or before the earliest open hold's expiry (so an orphaned hold is billed by an alarm no later than
 * its expiry), moved only earlier by admissions and re-armed lazily when it fires (src/ledger/durable-object/hold-expiry.ts).
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDurableObjectLedger, type TenantLedger } from "../../../src/ledger/durable-object";
import { admitOk, admitReq, freshAccount, fund, settleReq, uid, voidReq } from "./contract-helpers";
import { allEntries, checkInvariant } from "./invariant";

const LONG = 600_000;

function setup() {
  const { ledger } = createDurableObjectLedger({ tenants: env.TENANT_LEDGER, keys: env.KEY_DIRECTORY });
  const a = freshAccount();
  const stub = env.TENANT_LEDGER.get(env.TENANT_LEDGER.idFromName(a.tenantId));
  const alarmAt = () => runInDurableObject(stub, (_, state) => state.storage.getAlarm());
  const expectCovered = () => expectAlarmCovers(stub);
  return { ledger, a, stub, alarmAt, expectCovered };
}

/** The sweeper's guarantee, read from the object's own storage: an alarm no later than the earliest open hold. */
async function expectAlarmCovers(stub: DurableObjectStub<TenantLedger>) {
  const { alarm, earliest } = await runInDurableObject(stub, async (_, state) => ({
    alarm: await state.storage.getAlarm(),
    earliest: state.storage.sql
      .exec<{ at: number | null }>("SELECT MIN(expires_at) AS at FROM holds WHERE state = 'open'")
      .one().at,
  }));
  if (earliest !== null) {
    expect(alarm, "an open hold without an alarm at or before its expiry").not.toBeNull();
    expect(alarm).toBeLessThanOrEqual(earliest);
  }
  return { alarm, earliest };
}

/** Waits until the clock has passed `at`, without asserting anything about time itself. */
async function waitPast(at: number): Promise<void> {
  while (Date.now() <= at) await scheduler.wait(Math.max(1, at - Date.now() + 1));
}

describe("TenantLedger alarm", () => {
  it("is armed by the first hold, moved earlier by a hold that expires sooner, and never moved by settlements", async () => {
    const { ledger, a, alarmAt, expectCovered } = setup();
    await fund(ledger, a, 1_000_000);
    expect(await alarmAt()).toBeNull();
    const before = Date.now();
    const late = await admitOk(ledger, a, { holdTtlMs: LONG * 2 });
    const first = await alarmAt();
    expect(first).toBeGreaterThanOrEqual(before + LONG * 2);
    expect(first).toBeLessThanOrEqual(Date.now() + LONG * 2);
    const early = await admitOk(ledger, a, { holdTtlMs: LONG });
    const armed = await alarmAt();
    expect(armed).toBeGreaterThanOrEqual(before + LONG);
    expect(armed).toBeLessThanOrEqual(Date.now() + LONG);
    // A hold that expires after the alarm leaves it where it is.
    const later = await admitOk(ledger, a, { holdTtlMs: LONG * 3 });
    expect(await alarmAt()).toBe(armed);
    // Settling the earliest hold leaves the alarm early (it fires, finds nothing due and re-arms): still covered.
    await ledger.settle(settleReq(a, early.req.requestId, 10));
    expect(await alarmAt()).toBe(armed);
    await ledger.void(voidReq(a, late.req.requestId));
    await ledger.void(voidReq(a, later.req.requestId));
    expect(await alarmAt()).toBe(armed);
    await expectCovered();
  });

  it("a fired alarm with nothing due re-arms at the earliest open hold, or stays off when none is open", async () => {
    const { ledger, a, stub, alarmAt, expectCovered } = setup();
    await fund(ledger, a, 1_000_000);
    const early = await admitOk(ledger, a, { holdTtlMs: LONG });
    const late = await admitOk(ledger, a, { holdTtlMs: LONG * 2 });
    const earlyExpiry = (await expectCovered()).earliest;
    await ledger.settle(settleReq(a, early.req.requestId, 10));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    // Nothing was billed early, and the alarm now sits exactly at the open hold's expiry.
    expect(await ledger.balance(a.keyId, a.tenantId)).toMatchObject({ held: late.res.reserved, openHolds: 1 });
    const { alarm, earliest } = await expectCovered();
    expect(earliest).toBeGreaterThan(earlyExpiry ?? Number.POSITIVE_INFINITY);
    expect(alarm).toBe(earliest);
    await ledger.void(voidReq(a, late.req.requestId));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await alarmAt()).toBeNull();
    // The next hold arms it again.
    await admitOk(ledger, a, { holdTtlMs: LONG });
    expect((await expectCovered()).alarm).not.toBeNull();
    await checkInvariant(ledger, a.keyId, a.tenantId);
  });

  it("keeps every open hold covered through a mixed sequence of admissions, settlements, voids and fires", async () => {
    const { ledger, a, stub, expectCovered } = setup();
    await fund(ledger, a, 10_000_000);
    const open: string[] = [];
    // Lifetimes that go up and down, so some admissions must move the alarm earlier and most must not.
    const ttls = [5, 3, 8, 1, 9, 2, 7, 4, 6, 1.5].map((m) => m * LONG);
    for (const [i, holdTtlMs] of ttls.entries()) {
      const { req } = await admitOk(ledger, a, { holdTtlMs });
      open.push(req.requestId);
      await expectCovered();
      if (i % 3 === 2) {
        const requestId = open.splice(i % open.length, 1)[0] as string;
        await ledger.settle(settleReq(a, requestId, 1));
        await expectCovered();
      }
      if (i % 4 === 3) {
        await runDurableObjectAlarm(stub);
        const { alarm, earliest } = await expectCovered();
        // Right after a fire the alarm is exact again.
        expect(alarm).toBe(earliest);
      }
    }
    expect(await ledger.balance(a.keyId, a.tenantId)).toMatchObject({ openHolds: open.length, billed: 3 });
    await checkInvariant(ledger, a.keyId, a.tenantId);
  });

  it("a group-committed batch moves the alarm to its earliest admitted hold", async () => {
    const { a, stub, alarmAt, expectCovered } = setup();
    await stub.credit(a.keyId, a.tenantId, 1_000_000, uid("ref"), "topup");
    await stub.admit(admitReq(a, { holdTtlMs: LONG * 4 }));
    const before = Date.now();
    const outcomes = await stub.commit([
      { kind: "admit", req: admitReq(a, { holdTtlMs: LONG * 3 }) },
      { kind: "admit", req: admitReq(a, { holdTtlMs: LONG }) },
      { kind: "admit", req: admitReq(a, { holdTtlMs: LONG * 2 }) },
    ]);
    expect(outcomes.map((o) => o.ok && o.value.kind)).toEqual(["admitted", "admitted", "admitted"]);
    const { alarm, earliest } = await expectCovered();
    expect(alarm).toBe(earliest);
    expect(await alarmAt()).toBeGreaterThanOrEqual(before + LONG);
    expect(await alarmAt()).toBeLessThanOrEqual(Date.now() + LONG);
  });

  it("a new instance of the object knows the stored alarm and only moves it earlier", async () => {
    const { ledger, a, stub, alarmAt } = setup();
    await fund(ledger, a, 1_000_000);
    await admitOk(ledger, a, { holdTtlMs: LONG });
    const armed = await alarmAt();
    await expect(runInDurableObject(stub, (_, state) => state.abort("test: discard instance"))).rejects.toThrow();
    const fresh = env.TENANT_LEDGER.get(env.TENANT_LEDGER.idFromName(a.tenantId));
    const readAlarm = () => runInDurableObject(fresh, (_, state) => state.storage.getAlarm());
    await admitOk(ledger, a, { holdTtlMs: LONG * 2 });
    expect(await readAlarm()).toBe(armed);
    const before = Date.now();
    await admitOk(ledger, a, { holdTtlMs: LONG / 2 });
    const moved = await readAlarm();
    expect(moved).toBeGreaterThanOrEqual(before + LONG / 2);
    expect(moved).toBeLessThan(armed ?? 0);
    await expectAlarmCovers(fresh);
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
