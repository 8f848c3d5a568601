/**
 * What one admission and one settlement cost the tenant's Durable Object in storage operations: every SQL statement
 * and alarm call the object makes is counted through wrappers on its own storage, for a busy key (its account already
 * in the object's memory) on the plain path the bench measures and with the features that add work. The counts are
 * the budget: a change that adds a statement to the hot path fails here instead of showing up later as CPU.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { TenantLedger } from "../../../src/ledger/durable-object";
import type { LedgerOp } from "../../../src/ledger/durable-object/batch";
import type { AdmitRequest } from "../../../src/ledger/types";
import { admitReq, freshAccount, settleReq, uid } from "./contract-helpers";

interface Counted {
  statements: string[];
  alarms: number;
}

/** Runs `fn` on the object with its SQL and alarm calls counted. */
async function counting<T>(
  stub: DurableObjectStub<TenantLedger>,
  fn: (ledger: TenantLedger) => Promise<T> | T,
): Promise<{ value: T } & Counted> {
  return runInDurableObject(stub, async (instance: TenantLedger, state) => {
    const counted: Counted = { statements: [], alarms: 0 };
    const sql = state.storage.sql;
    const exec = sql.exec;
    const setAlarm = state.storage.setAlarm;
    const deleteAlarm = state.storage.deleteAlarm;
    sql.exec = ((query: string, ...args: SqlStorageValue[]) => {
      counted.statements.push(query.replace(/\s+/g, " ").trim());
      return exec.call(sql, query, ...args);
    }) as typeof sql.exec;
    state.storage.setAlarm = ((...args: Parameters<typeof setAlarm>) => {
      counted.alarms += 1;
      return setAlarm.apply(state.storage, args);
    }) as typeof setAlarm;
    state.storage.deleteAlarm = ((...args: Parameters<typeof deleteAlarm>) => {
      counted.alarms += 1;
      return deleteAlarm.apply(state.storage, args);
    }) as typeof deleteAlarm;
    try {
      return { value: await fn(instance), ...counted };
    } finally {
      sql.exec = exec;
      state.storage.setAlarm = setAlarm;
      state.storage.deleteAlarm = deleteAlarm;
    }
  });
}

type Cost = { statements: number; alarms: number };
type Case = {
  name: string;
  over: () => Partial<AdmitRequest>;
  /** Whether another hold of the key stays open meanwhile (as under load) or this is the only one (as at c=1). */
  alone: boolean;
  admit: Cost;
  settle: Cost;
};

const TTL = 600_000;
const RATES = { key: { requests_per_minute: 1000 }, tenant: { tokens_per_minute: 10_000_000 } };
const taskOf = () => ({
  id: uid("task"),
  fingerprint: "f",
  limits: { max_calls: 100, max_identical_calls: 50 },
  ttlMs: TTL,
});

// SQL statements and alarm calls per admission and per settlement of a busy key.
const CASES: Case[] = [
  {
    name: "plain (no limits, no task, no Idempotency-Key), another hold open",
    over: () => ({}),
    alone: false,
    admit: { statements: 3, alarms: 0 },
    settle: { statements: 4, alarms: 0 },
  },
  {
    // The alarm only moves earlier (hold-expiry.ts): the warm-up's first hold armed it, later holds expire after it,
    // and a settlement never touches it (no MIN query, no alarm call), even of the only open hold, as at c=1.
    name: "plain, the only open hold",
    over: () => ({}),
    alone: true,
    admit: { statements: 3, alarms: 0 },
    settle: { statements: 4, alarms: 0 },
  },
  {
    name: "key and tenant rate limits",
    over: () => ({ limits: RATES }),
    alone: false,
    admit: { statements: 5, alarms: 0 },
    settle: { statements: 4, alarms: 0 },
  },
  {
    name: "a task budget",
    over: () => ({ task: taskOf() }),
    alone: false,
    admit: { statements: 5, alarms: 0 },
    settle: { statements: 5, alarms: 0 },
  },
];

describe("TenantLedger storage operations per item", () => {
  it.each(CASES)("$name", async ({ over, alone, admit, settle }) => {
    const a = freshAccount();
    const stub = env.TENANT_LEDGER.get(env.TENANT_LEDGER.idFromName(a.tenantId));
    await stub.credit(a.keyId, a.tenantId, 1_000_000_000, uid("ref"), "topup");
    const extra = over();
    const settleOver = extra.task ? { task: { id: extra.task.id, toolCalls: 0 } } : {};
    // Two warm-up requests: the account, the tenant id, the rate windows and the alarm are known to the object after.
    for (let i = 0; i < 2; i++) {
      const req = admitReq(a, extra);
      await stub.admit(req);
      await stub.settle(settleReq(a, req.requestId, 100, settleOver));
    }
    if (!alone) await stub.admit(admitReq(a, extra));

    const req = admitReq(a, extra);
    const admitted = await counting(stub, (ledger) => ledger.admit(req));
    expect(admitted.value.kind).toBe("admitted");
    const settled = await counting(stub, (ledger) => ledger.settle(settleReq(a, req.requestId, 100, settleOver)));
    expect(settled.value.kind).toBe("settled");
    const cost = (c: Counted) => ({ statements: c.statements.length, alarms: c.alarms });
    expect({ admit: cost(admitted), settle: cost(settled) }, JSON.stringify([admitted, settled], null, 1)).toEqual({
      admit,
      settle,
    });
  });
});

describe("TenantLedger storage operations per batch", () => {
  // A batch costs what its items cost one by one (3 statements per admission, 4 per settlement, each writing the
  // account): batching saves calls and commits, not statements. Writing a busy account once per batch instead was
  // measured slower (README, "statements per item": the batch-wide transaction it needs costs more than it saves).
  it("N admissions and N settlements of one key in one commit cost what they cost one by one", async () => {
    const a = freshAccount();
    const stub = env.TENANT_LEDGER.get(env.TENANT_LEDGER.idFromName(a.tenantId));
    await stub.credit(a.keyId, a.tenantId, 1_000_000_000, uid("ref"), "topup");
    const warm = admitReq(a);
    await stub.admit(warm);
    await stub.settle(settleReq(a, warm.requestId, 100));

    const N = 8;
    const reqs = Array.from({ length: N }, () => admitReq(a));
    const ops: LedgerOp[] = [
      ...reqs.map((req): LedgerOp => ({ kind: "admit", req })),
      ...reqs.map((req): LedgerOp => ({ kind: "settle", req: settleReq(a, req.requestId, 100) })),
    ];
    const counted = await counting(stub, (ledger) => ledger.commit(ops));
    expect(counted.value.map((o) => (o.ok ? o.value.kind : o.error))).toEqual([
      ...reqs.map(() => "admitted"),
      ...reqs.map(() => "settled"),
    ]);
    const upserts = counted.statements.filter((s) => s.startsWith("INSERT INTO accounts"));
    expect({ statements: counted.statements.length, accountWrites: upserts.length, alarms: counted.alarms }).toEqual({
      statements: N * 3 + N * 4,
      accountWrites: 2 * N,
      alarms: 0,
    });
    expect(await stub.balance(a.keyId)).toMatchObject({ held: 0, openHolds: 0, billed: 100 * (N + 1) });
  });
});
