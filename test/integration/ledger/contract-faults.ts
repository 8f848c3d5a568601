/**
 * Contract: an unreachable store is an exception (StoreUnavailableError), never a made-up answer, and a failed call
 * leaves nothing behind. Runs only for factories that can take their store down.
 */
import { expect } from "vitest";
import { StoreUnavailableError } from "../../../src/ledger/types";
import { admitOk, admitReq, type ContractGroup, expectKind, freshAccount, fund, settleReq } from "./contract-helpers";
import { checkInvariant } from "./invariant";

export async function expectUnavailable(call: () => Promise<unknown>, label: string): Promise<void> {
  let outcome: unknown;
  try {
    outcome = { resolved: await call() };
  } catch (err) {
    outcome = err;
  }
  expect(outcome, `${label} should reject with StoreUnavailableError`).toBeInstanceOf(StoreUnavailableError);
}

export const faultCases: ContractGroup = {
  name: "store faults",
  cases: [
    {
      name: "with the store down, admit and settle reject with StoreUnavailableError; after up nothing was reserved",
      requiresFaults: true,
      timeoutMs: 60_000,
      async run({ ledger, faults }) {
        if (!faults) throw new Error("this case needs factory.faults");
        const a = freshAccount();
        await fund(ledger, a, 1_000_000);
        const open = await admitOk(ledger, a);
        const blocked = admitReq(a);
        await faults.down();
        try {
          await expectUnavailable(() => ledger.admit(blocked), "admit");
          await expectUnavailable(() => ledger.settle(settleReq(a, open.req.requestId, 10)), "settle");
        } finally {
          await faults.up();
        }
        expect(await ledger.balance(a.keyId, a.tenantId)).toMatchObject({
          balance: 1_000_000 - open.res.reserved,
          held: open.res.reserved,
          openHolds: 1,
        });
        // The refused request id was not remembered and the open hold is still open.
        const retried = expectKind(await ledger.admit(blocked), "admitted");
        expect(retried.reserved).toBe(open.res.reserved);
        expectKind(await ledger.settle(settleReq(a, open.req.requestId, 10)), "settled");
        expectKind(await ledger.settle(settleReq(a, blocked.requestId, 10)), "settled");
        await checkInvariant(ledger, a.keyId, a.tenantId, { atRest: true });
      },
    },
  ],
};
