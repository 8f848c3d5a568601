import type { CompiledPolicy } from "../src/policy/types";
import { createWorker } from "../src/worker";
import policy from "./.generated/policy.json";

/** The Worker under test: production code, compiled with the test policy set (test/fixtures/policies). */
export default createWorker(policy as CompiledPolicy);
export { TenantAnalytics } from "../src/analytics/durable-object";
export { TenantBatches } from "../src/batch/durable-object";
export { TenantCache } from "../src/cache/durable-object";
export { KeyDirectory, TenantLedger } from "../src/ledger/durable-object";
export { SettlementOutbox } from "../src/ledger/outbox";
