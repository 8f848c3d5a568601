/**
 * The record op in the settlement outbox: a refused request's usage event is queued like a settle/void, kept apart
 * from a settle/void of the same request id, done on `recorded` or `duplicate`, and backs off while the store is
 * down (drainDue with an injected ledger, so no shared store has to go down).
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createDurableObjectLedger } from "../../src/ledger/durable-object";
import { createOutboxClient, outboxStub, type RecordOp, type SettlementOp } from "../../src/ledger/outbox";
import { drainDue } from "../../src/ledger/outbox/drain";
import { listOps } from "../../src/ledger/outbox/store";
import { type Ledger, type RecordResult, StoreUnavailableError, type UsageEvent } from "../../src/ledger/types";
import { type Account, admitOk, freshAccount, fund, uid, usageFor, voidReq } from "./ledger/contract-helpers";
import { checkInvariant } from "./ledger/invariant";

function setup() {
  const { ledger } = createDurableObjectLedger({ tenants: env.TENANT_LEDGER, keys: env.KEY_DIRECTORY });
  const a = freshAccount();
  const outbox = createOutboxClient(env.SETTLEMENT_OUTBOX);
  const stub = outboxStub(env.SETTLEMENT_OUTBOX, a.tenantId);
  return { ledger, a, outbox, stub };
}

function refusal(a: Account, requestId = uid("req")): RecordOp {
  return {
    kind: "record",
    event: usageFor(a, requestId, { inputTokens: 0, outputTokens: 0, status: 402, flags: ["refused:x"] }),
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("SettlementOutbox with record ops", () => {
  it("records a queued usage event once; a duplicate enqueue is ignored, a record beside a void of the same id is not", async () => {
    const { ledger, a, outbox, stub } = setup();
    await fund(ledger, a, 1_000_000);
    const held = await admitOk(ledger, a);
    const id = held.req.requestId;
    const voidOp: SettlementOp = {
      kind: "void",
      req: voidReq(a, id, { usage: usageFor(a, id, { at: 1, status: 503 }) }),
    };
    const record = refusal(a, id);
    record.event.at = 2;
    await outbox.enqueue(voidOp);
    await outbox.enqueue(record);
    expect(await stub.enqueue(record)).toEqual({ kind: "duplicate" });
    const items = await stub.list();
    expect(items.map((i) => [i.kind, i.requestId]).sort()).toEqual([
      ["record", id],
      ["void", id],
    ]);

    expect(await stub.flush()).toEqual({ done: 2, postponed: 0 });
    expect(await stub.pending()).toMatchObject({ count: 0 });
    expect(await ledger.usage(a.tenantId)).toEqual([record.event, voidOp.req.usage]);
    await checkInvariant(ledger, a.keyId, a.tenantId, { atRest: true });
  });

  it("drops a record op whose event already landed (duplicate counts as done)", async () => {
    const { ledger, a, outbox, stub } = setup();
    const op = refusal(a);
    // The direct record landed but its reply was lost, so the op was queued as well.
    expect(await ledger.record(op.event)).toEqual({ kind: "recorded" });
    await outbox.enqueue(op);
    expect(await stub.flush()).toEqual({ done: 1, postponed: 0 });
    expect(await ledger.usage(a.tenantId)).toEqual([op.event]);
  });

  it("refuses a malformed record op at enqueue", async () => {
    const { a, outbox, stub } = setup();
    const op = refusal(a);
    await expect(outbox.enqueue({ ...op, event: { ...op.event, cost: 1.5 } })).rejects.toThrow(/malformed record/);
    const noEvent = { kind: "record", event: null } as unknown as SettlementOp;
    expect(await stub.enqueue(noEvent)).toEqual({ kind: "malformed" });
    expect(await stub.pending()).toMatchObject({ count: 0 });
  });

  it("backs off a record op on StoreUnavailableError and deletes it once recorded", async () => {
    const { a, stub } = setup();
    const op = refusal(a);
    expect(await stub.enqueue(op)).toEqual({ kind: "queued" });
    const { ledger, seen, answer } = scriptedRecord(new StoreUnavailableError("ledger store unavailable (test)"));
    const drain = (now: number) =>
      runInDurableObject(stub, (_, state) =>
        drainDue({ sql: state.storage.sql, ledgerFor: () => ledger, now: () => now, random: () => 0 }, 10),
      );
    const items = () => runInDurableObject(stub, (_, state) => listOps(state.storage.sql, 10));

    const t0 = Date.now() + 60_000;
    expect(await drain(t0)).toEqual({ done: 0, postponed: 1 });
    const [waiting] = await items();
    expect(waiting).toMatchObject({ kind: "record", requestId: op.event.requestId, attempts: 1, nextAt: t0 + 500 });
    expect(waiting?.lastError).toContain("StoreUnavailableError");
    expect(await drain(t0 + 499)).toEqual({ done: 0, postponed: 0 });
    expect(seen).toHaveLength(1);

    answer.next = { kind: "recorded" };
    expect(await drain(t0 + 500)).toEqual({ done: 1, postponed: 0 });
    expect(seen).toEqual([op.event, op.event]);
    expect(await items()).toEqual([]);
  });
});

/** A ledger whose record answers `answer.next` (an Error is thrown); nothing else is used by a record op. */
function scriptedRecord(first: RecordResult | Error) {
  const seen: UsageEvent[] = [];
  const answer: { next: RecordResult | Error } = { next: first };
  const unused = () => Promise.reject(new Error("not used for a record op"));
  const ledger: Ledger = {
    async record(event) {
      seen.push(event);
      if (answer.next instanceof Error) throw answer.next;
      return answer.next;
    },
    admit: unused,
    settle: unused,
    void: unused,
    credit: unused,
    balance: unused,
    entries: unused,
    usage: unused,
    sweep: unused,
    recordToolCall: unused,
  };
  return { ledger, seen, answer };
}
