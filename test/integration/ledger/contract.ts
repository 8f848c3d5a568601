/**
 * The ledger contract suite: the judge both ledger backends (Upstash Redis and Durable Object) must pass. It is the
 * executable form of /work/notes/ledger-spec.md; where the spec leaves a choice, the file that tests it says which
 * reading is pinned (see the header of each contract-*.ts).
 *
 * Usage, in a backend's own `*.test.ts`:
 *   ledgerContract({ name: "upstash", make: async () => ({ ledger, keys }), faults: { down, up } });
 *
 * Every case makes its own accounts from random ids, so the store needs no reset between cases; `make()` is called
 * once per case and `close()` after it. The suite sweeps the store only with now <= Date.now() + 60 s (see
 * contract-helpers.ts), so other users of the same store should create holds with longer TTLs.
 *
 * Cases are plain async functions (`CONTRACT_GROUPS`), registered by `ledgerContract` with describe/it; the
 * self-check also runs single cases against deliberately broken ledgers to prove the suite catches them.
 */
import { describe, it } from "vitest";
import { batchCases } from "./contract-batch";
import { concurrencyCases } from "./contract-concurrency";
import { creditCases } from "./contract-credits";
import { faultCases } from "./contract-faults";
import type { ContractCase, ContractGroup, LedgerFactory } from "./contract-helpers";
import { holdCases } from "./contract-holds";
import { idempotencyCases } from "./contract-idempotency";
import { keyCases } from "./contract-keys";
import { limitCases } from "./contract-limits";
import { recordCases } from "./contract-record";
import { taskCases } from "./contract-tasks";
import { usageCases } from "./contract-usage";

export type { ContractCase, ContractContext, ContractGroup, LedgerFactory } from "./contract-helpers";

export const CONTRACT_GROUPS: readonly ContractGroup[] = [
  creditCases,
  holdCases,
  concurrencyCases,
  batchCases,
  idempotencyCases,
  limitCases,
  taskCases,
  usageCases,
  recordCases,
  keyCases,
  faultCases,
];

const DEFAULT_TIMEOUT_MS = 15_000;

/** Runs one case against a fresh `make()` of the factory, closing it afterwards. */
export async function runContractCase(factory: LedgerFactory, c: ContractCase): Promise<void> {
  const made = await factory.make();
  try {
    await c.run({ ledger: made.ledger, keys: made.keys, faults: factory.faults });
  } finally {
    await made.close?.();
  }
}

/** The case whose name contains `fragment` (exactly one must match). */
export function findContractCase(fragment: string): ContractCase {
  const found = CONTRACT_GROUPS.flatMap((g) => g.cases).filter((c) => c.name.includes(fragment));
  const [only] = found;
  if (only === undefined || found.length > 1) {
    throw new Error(`expected one contract case matching "${fragment}", found ${found.length}`);
  }
  return only;
}

/** Registers the whole contract as describe/it blocks for one backend. */
export function ledgerContract(factory: LedgerFactory): void {
  describe(`ledger contract: ${factory.name}`, () => {
    for (const group of CONTRACT_GROUPS) {
      describe(group.name, () => {
        for (const c of group.cases) {
          const skip =
            (c.requiresFaults === true && factory.faults === undefined) ||
            (c.requiresExactTenantWide === true && factory.tenantWide === "per-shard");
          it.skipIf(skip)(c.name, () => runContractCase(factory, c), c.timeoutMs ?? DEFAULT_TIMEOUT_MS);
        }
      });
    }
  });
}
