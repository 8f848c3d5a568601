import type { Config } from "./cross-fit";

/**
 * The configurations the inner cross-fit chooses among (per outer fold, on calibration data only). Measured on the
 * routing data with subject-grouped folds of other seeds than the report's (README): with the question-structure
 * features, 16–32 components beat 64–128 on held-out subjects, and a firmer L2 (10–100) no longer hurts; the raw
 * 512-d embedding did worse than any projection. Lexical features alone get part of the way.
 */
export const ROUTER_CONFIGS: readonly Config[] = [
  { components: 0, l2: 10 },
  { components: 0, l2: 100 },
  { components: 16, l2: 10 },
  { components: 32, l2: 10 },
  { components: 32, l2: 100 },
  { components: 64, l2: 10 },
  { components: 128, l2: 100 },
];

/** The verifier reads answer features only: the prompt embedding did not help it on GSM8K (README). */
export const VERIFIER_CONFIGS: readonly Config[] = [
  { components: 0, l2: 0.3 },
  { components: 0, l2: 3 },
  { components: 0, l2: 10 },
];
