import { env } from "cloudflare:workers";
import { createDurableObjectLedger } from "../../../src/ledger/durable-object";
import { ledgerContract } from "./contract";
import { faultSwitch, faultyNamespace } from "./do-fault-namespace";

// One switch for the whole file: the fault case takes the binding down and up again; every other case leaves it up.
const sw = faultSwitch();

ledgerContract({
  name: "durable-object",
  make: async () =>
    createDurableObjectLedger({
      tenants: faultyNamespace(env.TENANT_LEDGER, sw),
      keys: faultyNamespace(env.KEY_DIRECTORY, sw),
    }),
  faults: {
    down: async () => {
      sw.down = true;
    },
    up: async () => {
      sw.down = false;
    },
    loseReplies: async (count) => {
      sw.loseReplies = count;
    },
  },
});
