import { env } from "cloudflare:workers";
import { createDurableObjectCache } from "../../../src/cache/durable-object";
import { faultSwitch, faultyNamespace } from "../ledger/do-fault-namespace";
import { cacheContract } from "./contract";

const down = faultSwitch();
down.down = true;

cacheContract({
  name: "durable-object",
  make: () => createDurableObjectCache({ namespace: env.TENANT_CACHE, timeoutMs: 5000 }),
  unreachable: () => createDurableObjectCache({ namespace: faultyNamespace(env.TENANT_CACHE, down), timeoutMs: 5000 }),
});
