import { env } from "cloudflare:workers";
import { createDurableObjectLedger } from "../../../src/ledger/durable-object";
import { ledgerContract } from "./contract";
import { faultSwitch, faultyNamespace } from "./do-fault-namespace";

// One switch for the whole file: the fault case takes the binding down and up again; every other case leaves it up.
const sw = faultSwitch();

const faults = {
  down: async () => {
    sw.down = true;
  },
  up: async () => {
    sw.down = false;
  },
  loseReplies: async (count: number) => {
    sw.loseReplies = count;
  },
};

// The same suite on one object per tenant (the default) and on tenants sharded over 4 objects (credits.ledger_shards).
for (const shards of [1, 4]) {
  ledgerContract({
    name: shards === 1 ? "durable-object" : `durable-object, ${shards} shards per tenant`,
    ...(shards === 1 ? {} : { tenantWide: "per-shard" as const }),
    make: async () =>
      createDurableObjectLedger({
        tenants: faultyNamespace(env.TENANT_LEDGER, sw),
        keys: faultyNamespace(env.KEY_DIRECTORY, sw),
        shards: () => shards,
      }),
    faults,
  });
}
