import type { Config } from "./cross-fit";

/**
 * The configurations the inner cross-fit chooses among (per outer fold, on calibration data only). Measured on the
 * routing data (see README): weak L2 and many components win on held-out MMLU subjects, because what transfers is
 * fine topic structure (a held-out subject's neighbours among the seen ones); lexical features alone get part of
 * the way; more than ~128 components did not help and cost training time.
 */
export const ROUTER_CONFIGS: readonly Config[] = [
  { components: 0, l2: 1 },
  { components: 32, l2: 1 },
  { components: 64, l2: 1 },
  { components: 128, l2: 1 },
  { components: 128, l2: 10 },
];

/** The verifier reads answer features only: the prompt embedding did not help it on GSM8K (README). */
export const VERIFIER_CONFIGS: readonly Config[] = [
  { components: 0, l2: 0.3 },
  { components: 0, l2: 3 },
  { components: 0, l2: 10 },
];
