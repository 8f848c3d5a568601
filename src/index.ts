import { loadBundledPolicy } from "./policy";
import { createWorker } from "./worker";

export default createWorker(loadBundledPolicy());
export { KeyDirectory, TenantLedger } from "./ledger/durable-object";
export { SettlementOutbox } from "./ledger/outbox";
