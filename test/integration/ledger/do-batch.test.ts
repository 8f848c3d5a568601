/**
 * Group commit inside the TenantLedger (TenantLedger.commit): each item of a batch runs in its own transaction, in
 * order, against what the items before it left, and answers on its own. These cases send the batch to the object as
 * one call (stub.commit), so which items share a batch is certain, and make items fail for real: an item whose last
 * write breaks a NOT NULL constraint, and a batch whose account writes find no table. The books must come out exact in
 * the answers, through the API and from SQLite after the instance is thrown away.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDurableObjectLedger } from "../../../src/ledger/durable-object";
import type { LedgerOp, LedgerOpOutcome } from "../../../src/ledger/durable-object/batch";
import type { LedgerEntry } from "../../../src/ledger/types";
import {
  type Account,
  admitOk,
  admitReq,
  DEFAULT_RESERVE,
  expectKind,
  freshAccount,
  fund,
  settleReq,
  uid,
  usageFor,
  voidReq,
} from "./contract-helpers";
import { allEntries, checkInvariant } from "./invariant";

const facade = () => createDurableObjectLedger({ tenants: env.TENANT_LEDGER, keys: env.KEY_DIRECTORY });

function tenantStub(tenantId: string) {
  return env.TENANT_LEDGER.get(env.TENANT_LEDGER.idFromName(tenantId));
}

/** Throws the live instance away (as eviction does); the next call builds a new one from SQLite alone. */
async function evict(tenantId: string): Promise<void> {
  await expect(runInDurableObject(tenantStub(tenantId), (_, state) => state.abort("test: evict"))).rejects.toThrow();
}

async function sqlIn(tenantId: string, statement: string): Promise<void> {
  await runInDurableObject(tenantStub(tenantId), (_, state) => {
    state.storage.sql.exec(statement);
  });
}

/** The account row as SQLite holds it (not the object's memory). */
async function storedAccount(a: Account) {
  return runInDurableObject(tenantStub(a.tenantId), (_, state) =>
    state.storage.sql
      .exec<{ balance: number; held: number; open_holds: number; credited: number; billed: number; seq: number }>(
        "SELECT balance, held, open_holds, credited, billed, seq FROM accounts WHERE key_id = ?",
        a.keyId,
      )
      .toArray(),
  );
}

function value(o: LedgerOpOutcome | undefined) {
  if (o === undefined || !o.ok) throw new Error(`expected an answer, got ${JSON.stringify(o)}`);
  return o.value;
}

const books = (e: LedgerEntry[]) => e.map((x) => [x.seq, x.type, x.amount, x.balanceAfter]);

describe("a group-committed batch in the TenantLedger", () => {
  it("an item failing between successful items of the same account rolls back alone", async () => {
    const { ledger } = facade();
    const a = freshAccount();
    await fund(ledger, a, 100_000);
    const h0 = await admitOk(ledger, a);
    const [r1, r2, r3, r4] = [admitReq(a), admitReq(a), admitReq(a), admitReq(a)];
    const idemKey = uid("idem");
    const ops: LedgerOp[] = [
      { kind: "admit", req: r1 },
      { kind: "settle", req: settleReq(a, h0.req.requestId, 700) },
      { kind: "admit", req: r2 },
      // Fails at its last write (the usage event's key_id is NOT NULL), after it closed the hold, appended an entry
      // and moved the money: all of that must be undone, in SQLite and in the object's memory.
      {
        kind: "settle",
        req: settleReq(a, r1.requestId, 100, {
          usage: usageFor(a, r1.requestId, { cost: 100, keyId: null as unknown as string }),
        }),
      },
      // Fails at its last write too (the idempotency record's body_hash is NOT NULL), after its hold and entry.
      {
        kind: "admit",
        req: { ...r3, idempotency: { key: idemKey, bodyHash: null as unknown as string, ttlMs: 60_000 } },
      },
      { kind: "settle", req: settleReq(a, r2.requestId, 500) },
      { kind: "admit", req: r4 },
      { kind: "void", req: voidReq(a, r4.requestId) },
    ];
    const outcomes = await tenantStub(a.tenantId).commit(ops);

    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true, false, false, true, true, true]);
    expect(outcomes[3]).toMatchObject({ ok: false, error: expect.stringContaining("NOT NULL") });
    expect(outcomes[4]).toMatchObject({ ok: false, error: expect.stringContaining("NOT NULL") });
    // Each answer sees what the items before it left, and nothing of the failed ones.
    expect(value(outcomes[0])).toMatchObject({ kind: "admitted", reserved: DEFAULT_RESERVE, balanceAfter: 94_000 });
    expect(value(outcomes[1])).toMatchObject({ kind: "settled", charged: 700, released: 2300, balanceAfter: 96_300 });
    expect(value(outcomes[2])).toMatchObject({ kind: "admitted", balanceAfter: 93_300 });
    expect(value(outcomes[5])).toMatchObject({ kind: "settled", charged: 500, balanceAfter: 95_800 });
    expect(value(outcomes[6])).toMatchObject({ kind: "admitted", balanceAfter: 92_800 });
    expect(value(outcomes[7])).toMatchObject({ kind: "voided", released: DEFAULT_RESERVE, balanceAfter: 95_800 });

    const expected = { balance: 95_800, held: DEFAULT_RESERVE, openHolds: 1, credited: 100_000, billed: 1200 };
    // No seq was used by a failed item: the entries run 1..8 without a gap.
    const expectedBooks = [
      [1, "topup", 100_000, 100_000],
      [2, "reserve", -3000, 97_000],
      [3, "reserve", -3000, 94_000],
      [4, "settle", 2300, 96_300],
      [5, "reserve", -3000, 93_300],
      [6, "settle", 2500, 95_800],
      [7, "reserve", -3000, 92_800],
      [8, "void", 3000, 95_800],
    ];
    expect(await ledger.balance(a.keyId, a.tenantId)).toMatchObject(expected);
    expect(books(await allEntries(ledger, a.keyId, a.tenantId))).toEqual(expectedBooks);
    await checkInvariant(ledger, a.keyId, a.tenantId);

    // SQLite holds the same books: a new instance reads them from there.
    await evict(a.tenantId);
    expect(await storedAccount(a)).toEqual([
      { balance: 95_800, held: DEFAULT_RESERVE, open_holds: 1, credited: 100_000, billed: 1200, seq: 8 },
    ]);
    const again = facade().ledger;
    expect(await again.balance(a.keyId, a.tenantId)).toMatchObject(expected);
    expect(books(await allEntries(again, a.keyId, a.tenantId))).toEqual(expectedBooks);
    // The failed settlement left its hold open; the failed admission left no hold and no idempotency record.
    expectKind(await again.settle(settleReq(a, r1.requestId, 100)), "settled");
    expectKind(await again.void(voidReq(a, r3.requestId)), "unknown_hold");
    await admitOk(again, a, { idempotency: { key: idemKey, bodyHash: "h", ttlMs: 60_000 } });
    await checkInvariant(again, a.keyId, a.tenantId);
  });

  it("a batch whose account writes fail applies nothing: every item answers the error, a retry lands exactly", async () => {
    const { ledger } = facade();
    const a = freshAccount();
    await fund(ledger, a, 100_000);
    const h0 = await admitOk(ledger, a);
    const before = await ledger.balance(a.keyId, a.tenantId);
    const entriesBefore = await allEntries(ledger, a.keyId, a.tenantId);
    const limits = { key: { requests_per_minute: 2 } };
    const [x1, x2] = [admitReq(a, { limits }), admitReq(a, { limits })];
    const ops: LedgerOp[] = [
      { kind: "admit", req: x1 },
      { kind: "settle", req: settleReq(a, h0.req.requestId, 700) },
      { kind: "admit", req: x2 },
    ];

    // The account is in the object's memory, so no item reads the table: each item fails at its own account write
    // (a real SQLite error, after its hold, entry and rate checks), and rolls back alone.
    await sqlIn(a.tenantId, "ALTER TABLE accounts RENAME TO accounts_away");
    let outcomes: LedgerOpOutcome[];
    try {
      outcomes = await tenantStub(a.tenantId).commit(ops);
    } finally {
      await sqlIn(a.tenantId, "ALTER TABLE accounts_away RENAME TO accounts");
    }
    expect(outcomes).toHaveLength(3);
    for (const o of outcomes) expect(o).toMatchObject({ ok: false, error: expect.stringContaining("accounts") });

    // Nothing happened: the money, the entries, the hold, the holds' request ids and the rate window.
    expect(await ledger.balance(a.keyId, a.tenantId)).toEqual(before);
    expect(await allEntries(ledger, a.keyId, a.tenantId)).toEqual(entriesBefore);
    const retried = await tenantStub(a.tenantId).commit(ops);
    expect(retried.map((o) => value(o).kind)).toEqual(["admitted", "settled", "admitted"]);
    expect(value(retried[2])).toMatchObject({ balanceAfter: before.balance - 2 * DEFAULT_RESERVE + 2300 });
    expectKind(await ledger.admit(admitReq(a, { limits })), "rate_limited");

    const after = { balance: 93_300, held: 2 * DEFAULT_RESERVE, openHolds: 2, credited: 100_000, billed: 700 };
    expect(await ledger.balance(a.keyId, a.tenantId)).toMatchObject(after);
    await evict(a.tenantId);
    const again = facade().ledger;
    expect(await again.balance(a.keyId, a.tenantId)).toMatchObject(after);
    expect(books(await allEntries(again, a.keyId, a.tenantId))).toEqual([
      [1, "topup", 100_000, 100_000],
      [2, "reserve", -3000, 97_000],
      [3, "reserve", -3000, 94_000],
      [4, "settle", 2300, 96_300],
      [5, "reserve", -3000, 93_300],
    ]);
    for (const x of [x1, x2]) expectKind(await again.settle(settleReq(a, x.requestId, 0)), "settled");
    await checkInvariant(again, a.keyId, a.tenantId, { atRest: true });
  });
});
