/**
 * The gateway as the bench runs it: the production Worker (src/worker.ts, the same Durable Object classes as
 * src/index.ts) with one difference, the compiled policy. Production bundles policies/ (whose plans rate-limit a key
 * to a few hundred requests a minute); the bench bundles bench/policies/bench.yaml, the same model and price on a
 * plan without rate limits, so a load test measures the request path instead of 429s. bench/build.ts compiles that
 * policy and resolves `bench:policy` to it, and checks that this module exports everything src/index.ts does.
 */
import policy from "bench:policy";
import { createWorker } from "../../src/worker";
import { deepFreeze } from "./deep-freeze";

export default createWorker(deepFreeze(policy));
export { TenantAnalytics } from "../../src/analytics/durable-object";
export { TenantBatches } from "../../src/batch/durable-object";
export { TenantCache } from "../../src/cache/durable-object";
export { KeyDirectory, TenantLedger } from "../../src/ledger/durable-object";
export { SettlementOutbox } from "../../src/ledger/outbox";
