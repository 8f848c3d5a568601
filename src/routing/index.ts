export { type BackoffOptions, backoffMs } from "./backoff";
export { type BreakerConfig, type BreakerState, CircuitBreakers, isolateBreakers } from "./circuit-breaker";
export { type AttemptOutcome, type AttemptRecord, type ExecuteDeps, type ExecuteResult, executePlan } from "./execute";
export { type Failure, failureError } from "./failure";
export {
  type PlanAttributes,
  type PlanInput,
  type PlannedAttempt,
  type PlanResult,
  planRoute,
  type RequestKind,
  type RoutePlan,
  targetKeyOf,
} from "./plan";
export { sleep } from "./sleep";
export { estimateEmbeddingsTokens, estimatePromptTokens } from "./token-estimate";
