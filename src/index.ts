import { loadBundledPolicy } from "./policy";
import { createWorker } from "./worker";

export default createWorker(loadBundledPolicy());
export { TenantAnalytics } from "./analytics/durable-object";
export { TenantBatches } from "./batch/durable-object";
export { TenantCache } from "./cache/durable-object";
export { KeyDirectory, TenantLedger } from "./ledger/durable-object";
export { SettlementOutbox } from "./ledger/outbox";
