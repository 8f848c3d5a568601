/**
 * The settlement outbox on the Durable Object ledger: direct settlement, duplicate enqueues, late duplicates,
 * unknown holds, large payloads and the backoff schedule.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createDurableObjectLedger } from "../../src/ledger/durable-object";
import { createOutboxClient, MAX_RETRY_MS, outboxStub, retryDelay, type SettlementOp } from "../../src/ledger/outbox";
import { settleDurably } from "../../src/ledger/settle-durably";
import type { Ledger } from "../../src/ledger/types";
import {
  type Account,
  admitOk,
  entriesFor,
  freshAccount,
  fund,
  isTerminal,
  settleReq,
  uid,
  voidReq,
} from "./ledger/contract-helpers";
import { allEntries, checkInvariant } from "./ledger/invariant";

const FUNDS = 1_000_000;

function setup() {
  const { ledger } = createDurableObjectLedger({ tenants: env.TENANT_LEDGER, keys: env.KEY_DIRECTORY });
  const a = freshAccount();
  const outbox = createOutboxClient(env.SETTLEMENT_OUTBOX);
  const stub = outboxStub(env.SETTLEMENT_OUTBOX, a.tenantId);
  const alarmAt = () => runInDurableObject(stub, (_, state) => state.storage.getAlarm());
  return { ledger, a, outbox, stub, alarmAt };
}

const kept: Promise<unknown>[] = [];
const waitUntil = (p: Promise<unknown>) => {
  kept.push(p);
};

async function terminals(ledger: Ledger, a: Account, requestId: string) {
  return entriesFor(await allEntries(ledger, a.keyId, a.tenantId), requestId).filter(isTerminal);
}

afterEach(async () => {
  await Promise.allSettled(kept.splice(0));
  vi.restoreAllMocks();
});

describe("settleDurably on the Durable Object ledger", () => {
  it("settles directly when the ledger works and queues nothing", async () => {
    const { ledger, a, outbox, stub } = setup();
    await fund(ledger, a, FUNDS);
    const held = await admitOk(ledger, a);
    const op: SettlementOp = { kind: "settle", req: settleReq(a, held.req.requestId, 1200) };
    const outcome = await settleDurably({ ledger, outbox, waitUntil }, op);
    expect(outcome).toMatchObject({ kind: "settled", charged: 1200, released: held.res.reserved - 1200 });
    expect(await stub.pending()).toEqual({ count: 0, oldestAgeMs: 0, nextAt: null });
    expect(await terminals(ledger, a, held.req.requestId)).toHaveLength(1);
    await checkInvariant(ledger, a.keyId, a.tenantId, { atRest: true });
  });
});

describe("SettlementOutbox", () => {
  it("keeps one op per request id: a duplicate enqueue is ignored and the hold settles once", async () => {
    const { ledger, a, stub, alarmAt } = setup();
    await fund(ledger, a, FUNDS);
    const held = await admitOk(ledger, a);
    const op: SettlementOp = { kind: "settle", req: settleReq(a, held.req.requestId, 1500) };
    const before = Date.now();
    expect(await stub.enqueue(op)).toEqual({ kind: "queued" });
    expect(await stub.enqueue(op)).toEqual({ kind: "duplicate" });
    const status = await stub.pending();
    expect(status.count).toBe(1);
    expect(status.nextAt).toBeGreaterThan(before);
    expect(await alarmAt()).toBe(status.nextAt);

    expect(await stub.flush()).toEqual({ done: 1, postponed: 0 });
    expect(await stub.pending()).toMatchObject({ count: 0, nextAt: null });
    expect(await alarmAt()).toBeNull();
    const [terminal, ...more] = await terminals(ledger, a, held.req.requestId);
    expect(more).toEqual([]);
    expect(terminal).toMatchObject({ type: "settle", charged: 1500 });
    expect(await ledger.balance(a.keyId, a.tenantId)).toMatchObject({ balance: FUNDS - 1500, held: 0, billed: 1500 });
    await checkInvariant(ledger, a.keyId, a.tenantId, { atRest: true });
  });

  it("a late duplicate of an op that already landed answers already_resolved and is dropped", async () => {
    const { ledger, a, outbox, stub } = setup();
    await fund(ledger, a, FUNDS);
    const held = await admitOk(ledger, a);
    const op: SettlementOp = { kind: "void", req: voidReq(a, held.req.requestId) };
    // The direct void landed but its reply was lost, so the op was queued as well.
    expect(await ledger.void(op.req)).toMatchObject({ kind: "voided" });
    await outbox.enqueue(op);
    expect(await stub.flush()).toEqual({ done: 1, postponed: 0 });
    expect(await stub.pending()).toMatchObject({ count: 0 });
    expect(await terminals(ledger, a, held.req.requestId)).toEqual([expect.objectContaining({ type: "void" })]);
    expect(await ledger.balance(a.keyId, a.tenantId)).toMatchObject({ balance: FUNDS, held: 0, billed: 0 });
    await checkInvariant(ledger, a.keyId, a.tenantId, { atRest: true });
  });

  it("drops an op whose hold the ledger does not know, logging it loudly", async () => {
    const { a, stub, alarmAt } = setup();
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const requestId = uid("req-never-admitted");
    await stub.enqueue({ kind: "settle", req: settleReq(a, requestId, 10) });
    expect(await stub.flush()).toEqual({ done: 1, postponed: 0 });
    expect(await stub.pending()).toMatchObject({ count: 0 });
    expect(await alarmAt()).toBeNull();
    expect(error.mock.calls.map((c) => String(c[0])).join("\n")).toContain(requestId);
  });

  it("refuses a malformed op at enqueue (the client throws: it is a bug)", async () => {
    const { a, outbox, stub } = setup();
    const broken = { kind: "settle", req: { keyId: a.keyId, tenantId: a.tenantId } } as unknown as SettlementOp;
    expect(await stub.enqueue(broken)).toEqual({ kind: "malformed" });
    await expect(outbox.enqueue({ kind: "void", req: { ...voidReq(a, uid("req")), keyId: "" } })).rejects.toThrow(
      /malformed/,
    );
    expect(await stub.pending()).toMatchObject({ count: 0 });
  });

  it("stores a settle carrying a large idempotent response (over the 2 MB value cap) and settles it", async () => {
    const { ledger, a, stub } = setup();
    await fund(ledger, a, FUNDS);
    const idem = { key: uid("idem"), bodyHash: "h".repeat(64), ttlMs: 600_000 };
    const held = await admitOk(ledger, a, { idempotency: idem });
    const body = `{"x":"${"é€𝄞".repeat(700_000)}"}`;
    const response = { status: 200, headers: { "content-type": "application/json" }, body };
    const op: SettlementOp = {
      kind: "settle",
      req: settleReq(a, held.req.requestId, 100, { idempotency: { key: idem.key, response } }),
    };
    await stub.enqueue(op);
    expect(await stub.flush()).toEqual({ done: 1, postponed: 0 });
    const replay = await ledger.admit({ ...held.req, requestId: uid("req") });
    expect(replay.kind).toBe("replay");
    expect(replay.kind === "replay" && replay.response.body === body).toBe(true);
    await checkInvariant(ledger, a.keyId, a.tenantId, { atRest: true });
  });

  it("does not retry before an op is due, even when the alarm runs early", async () => {
    const { ledger, a, stub, alarmAt } = setup();
    await fund(ledger, a, FUNDS);
    const held = await admitOk(ledger, a);
    await stub.enqueue({ kind: "settle", req: settleReq(a, held.req.requestId, 10) });
    const armed = await alarmAt();
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const [item] = await stub.list();
    expect(item).toMatchObject({ requestId: held.req.requestId, attempts: 0, nextAt: armed });
    expect(await alarmAt()).toBe(armed);
    // Then the op is due: the alarm hands it to the ledger (made due by hand rather than by waiting).
    await runInDurableObject(stub, (_, state) => state.storage.sql.exec("UPDATE pending SET next_at = 0").toArray());
    await runDurableObjectAlarm(stub);
    expect(await stub.pending()).toMatchObject({ count: 0 });
    expect(await alarmAt()).toBeNull();
    expect(await terminals(ledger, a, held.req.requestId)).toHaveLength(1);
  });
});

describe("retryDelay", () => {
  it.each([
    [1, 500, 1000],
    [2, 1000, 2000],
    [3, 2000, 4000],
    [9, 128_000, 256_000],
    [10, MAX_RETRY_MS / 2, MAX_RETRY_MS],
    [1000, MAX_RETRY_MS / 2, MAX_RETRY_MS],
  ])("attempt %i waits between %i and %i ms", (attempts, low, high) => {
    expect(retryDelay(attempts, () => 0)).toBe(low);
    expect(retryDelay(attempts, () => 1)).toBe(high);
  });
});
