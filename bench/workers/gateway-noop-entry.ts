/**
 * The gateway with its ledger store replaced by a no-op (bench/workers/noop-ledger.ts): a measurement, never shipped.
 * Everything else is the production Worker with the bench policy (auth, routing, the billed-call path, metering,
 * analytics); only `services.ledger` answers at once instead of calling the tenant's Durable Object. Its cost over the
 * bare passthrough is what the gateway costs without its books, in the same run as the real thing.
 */
import policy from "bench:policy";
import { createApp } from "../../src/app";
import type { Services } from "../../src/context";
import type { WorkerEnv } from "../../src/env";
import { servicesFor } from "../../src/services";
import { deepFreeze } from "./deep-freeze";
import { createNoopLedger } from "./noop-ledger";

const production = servicesFor(deepFreeze(policy));
const ledger = createNoopLedger();
const withNoopLedger = new WeakMap<Services, Services>();

function services(raw: WorkerEnv): Services {
  const base = production(raw);
  let swapped = withNoopLedger.get(base);
  if (swapped === undefined) {
    swapped = { ...base, ledger };
    withNoopLedger.set(base, swapped);
  }
  return swapped;
}

export default { fetch: createApp(services).fetch } satisfies ExportedHandler<WorkerEnv>;
export { TenantAnalytics } from "../../src/analytics/durable-object";
export { TenantBatches } from "../../src/batch/durable-object";
export { TenantCache } from "../../src/cache/durable-object";
export { KeyDirectory, TenantLedger } from "../../src/ledger/durable-object";
export { SettlementOutbox } from "../../src/ledger/outbox";
