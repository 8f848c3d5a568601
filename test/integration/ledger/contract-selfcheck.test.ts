/**
 * Validates the judge itself: the contract suite must pass against the reference ledger (so it is satisfiable and
 * self-consistent), and must FAIL against deliberately broken ledgers (so its cases have teeth). The reference is a
 * test oracle only; it is never used by the gateway.
 */
import { describe, expect, it } from "vitest";
import type { Ledger } from "../../../src/ledger/types";
import { findContractCase, type LedgerFactory, ledgerContract, runContractCase } from "./contract";
import { admitOk, expectKind, freshAccount, fund, settleReq } from "./contract-helpers";
import { checkInvariant, InvariantViolation } from "./invariant";
import { createReferenceStore, type ReferenceOptions } from "./reference-ledger";

const shared = createReferenceStore();

ledgerContract({
  name: "reference (test oracle)",
  make: async () => ({ ledger: shared.ledger, keys: shared.keys }),
  faults: {
    down: async () => shared.setDown(true),
    up: async () => shared.setDown(false),
  },
});

function wrap(inner: Ledger, patch: Partial<Ledger>): Ledger {
  return {
    admit: (r) => inner.admit(r),
    settle: (r) => inner.settle(r),
    void: (r) => inner.void(r),
    credit: (...args) => inner.credit(...args),
    balance: (...args) => inner.balance(...args),
    entries: (...args) => inner.entries(...args),
    usage: (...args) => inner.usage(...args),
    sweep: (now) => inner.sweep(now),
    recordToolCall: (...args) => inner.recordToolCall(...args),
    record: (e) => inner.record(e),
    ...patch,
  };
}

function mutant(
  name: string,
  patch: (inner: Ledger) => Partial<Ledger>,
  options: ReferenceOptions = {},
): LedgerFactory {
  return {
    name,
    async make() {
      const store = createReferenceStore(options);
      return { ledger: wrap(store.ledger, patch(store.ledger)), keys: store.keys };
    },
  };
}

const MUTANTS: [LedgerFactory, string][] = [
  [mutant("check-then-act admit", () => ({}), { racyAdmit: true }), "50 concurrent admits"],
  [
    mutant("credit ignores the reference", (l) => ({
      credit: (k, t, amt, _ref, type) => l.credit(k, t, amt, crypto.randomUUID(), type),
    })),
    "credit is idempotent",
  ],
  [
    mutant("negative cost credits back", (l) => ({
      settle: async (r) => {
        const res = await l.settle(r);
        if (r.cost < 0) await l.credit(r.keyId, r.tenantId, -r.cost, crypto.randomUUID(), "topup");
        return res.kind === "settled" && r.cost < 0 ? { ...res, released: res.released - r.cost } : res;
      },
    })),
    "invalid costs",
  ],
  [mutant("sweep never runs", () => ({ sweep: async () => 0 })), "sweep bills expired holds"],
  [mutant("rate limits ignored", (l) => ({ admit: (r) => l.admit({ ...r, limits: {} }) })), "requests_per_minute N"],
  [
    mutant("tokens limit over-counts output", (l) => ({
      admit: (r) => l.admit({ ...r, promptTokens: r.promptTokens + r.maxOutputTokens }),
    })),
    "tokens_per_minute",
  ],
  [mutant("task budgets ignored", (l) => ({ admit: (r) => l.admit({ ...r, task: undefined }) })), "max_calls"],
  [
    mutant("usage oldest first", (l) => ({ usage: async (...a) => (await l.usage(...a)).reverse() })),
    "settle and void write usage",
  ],
  [
    mutant("record answers recorded to repeats", (l) => ({
      record: async (e) => {
        await l.record(e);
        return { kind: "recorded" };
      },
    })),
    "record is idempotent",
  ],
  [mutant("record drops flags", (l) => ({ record: (e) => l.record({ ...e, flags: [] }) })), "record writes usage"],
  [
    mutant("record bills its cost", (l) => ({
      record: async (e) => {
        await l.credit(e.keyId, e.tenantId, -1, crypto.randomUUID(), "adjust");
        return l.record(e);
      },
    })),
    "record beside an open hold",
  ],
  [
    mutant("beforeSeq inclusive", (l) => ({
      entries: (k, t, o) => l.entries(k, t, o?.beforeSeq === undefined ? o : { ...o, beforeSeq: o.beforeSeq + 1 }),
    })),
    "entries page newest first",
  ],
  [
    mutant("replay re-admits", (l) => ({
      admit: async (r) => {
        const res = await l.admit(r);
        return res.kind === "replay" ? l.admit({ ...r, idempotency: undefined }) : res;
      },
    })),
    "a replay after settle",
  ],
];

describe("the contract suite rejects broken ledgers", () => {
  it.each(MUTANTS.map(([factory, fragment]) => ({ factory, fragment, name: factory.name })))(
    '$name fails the case "$fragment"',
    async ({ factory, fragment }) => {
      await expect(runContractCase(factory, findContractCase(fragment))).rejects.toThrow();
    },
  );
});

describe("checkInvariant", () => {
  async function scenario() {
    const store = createReferenceStore();
    const a = freshAccount();
    await fund(store.ledger, a, 100_000);
    const settled = await admitOk(store.ledger, a);
    expectKind(await store.ledger.settle(settleReq(a, settled.req.requestId, 1200)), "settled");
    await admitOk(store.ledger, a);
    return { ledger: store.ledger, a };
  }

  it("accepts a consistent account, and rejects atRest while a hold is open", async () => {
    const { ledger, a } = await scenario();
    await checkInvariant(ledger, a.keyId, a.tenantId);
    await expect(checkInvariant(ledger, a.keyId, a.tenantId, { atRest: true })).rejects.toThrow(/no terminal entry/);
  });

  it("rejects totals that do not add up", async () => {
    const { ledger, a } = await scenario();
    const lying = wrap(ledger, { balance: async (...x) => ({ ...(await ledger.balance(...x)), held: 1 }) });
    await expect(checkInvariant(lying, a.keyId, a.tenantId)).rejects.toBeInstanceOf(InvariantViolation);
  });

  it("rejects a second terminal entry for one request id", async () => {
    const { ledger, a } = await scenario();
    const doubled = wrap(ledger, {
      entries: async (...x) => {
        const page = await ledger.entries(...x);
        const settle = page.find((e) => e.type === "settle");
        const top = page[0];
        if (!settle || !top) return page;
        return [{ ...settle, seq: top.seq + 1, amount: 0, balanceAfter: top.balanceAfter, charged: 0 }, ...page];
      },
    });
    await expect(checkInvariant(doubled, a.keyId, a.tenantId)).rejects.toThrow(/more than one terminal entry/);
  });

  it("rejects a balance that entries do not explain", async () => {
    const { ledger, a } = await scenario();
    const dropped = wrap(ledger, {
      entries: async (...x) => (await ledger.entries(...x)).filter((e) => e.type !== "topup"),
    });
    await expect(checkInvariant(dropped, a.keyId, a.tenantId)).rejects.toThrow(/running sum/);
  });
});
