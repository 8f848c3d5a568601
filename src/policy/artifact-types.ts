/**
 * Learned artifacts a policy may name (files under `policies/`, written by `npm run router:train`): the router that
 * scores "does this request need the premium tier?" before any call, and the verifier that scores "is the cheap
 * answer right?" after the cheap call. Validated by the policy build (schema-artifact.ts) and bundled with the policy.
 */

/** The embedding space the weights were fitted in: vectors of another model are meaningless to them. */
export interface ArtifactEmbedder {
  /** The embeddings model's name as the upstream knows it (e.g. `local-embed`, `@cf/baai/bge-base-en-v1.5`). */
  model: string;
  dims: number;
}

/** Inputs standardised (`(x - mean) / scale`) before the model sees them; `projection` first reduces the embedding. */
export interface LinearModel {
  type: "logistic";
  /** k × dims: rows the embedding is projected on (principal components of the training prompts); absent = raw. */
  projection?: number[][];
  mean: number[];
  scale: number[];
  weights: number[];
  bias: number;
}

export interface TrainingRecord {
  /** SHA-256 (hex) of the labelled rows the model was fitted on. */
  data_sha256: string;
  rows: number;
  /** Where the rows came from, e.g. `../shared/data/routing (mmlu, gsm8k)`. */
  source: string;
  trained_at: string;
  /** Quality target the threshold was calibrated for: a share of the premium model's accuracy. */
  quality_target: number;
  /** Held-out figures measured by the training run (premium share, accuracy, ...). */
  eval: Record<string, number>;
}

export interface RouterArtifact {
  kind: "router";
  format: 1;
  embedder: ArtifactEmbedder;
  /** Input order: the projected embedding (when `embedding`), then these lexical features. */
  features: { embedding: boolean; lexical: string[] };
  model: LinearModel;
  /** Scores at or above it go to the premium tier. */
  threshold: number;
  training: TrainingRecord;
}

export interface VerifierArtifact {
  kind: "verifier";
  format: 1;
  embedder: ArtifactEmbedder;
  /** Input order: the projected prompt embedding (when `embedding`), then these answer features. */
  features: { embedding: boolean; answer: string[] };
  model: LinearModel;
  /** Confidence (probability the cheap answer is right) below it escalates. */
  threshold: number;
  training: TrainingRecord;
}

/** The router's lexical features (computed in src/routing/router/features.ts); artifacts name them. */
export const LEXICAL_FEATURES = [
  "log_tokens",
  "log_chars",
  "code",
  "digit_share",
  "math_symbols",
  "log_numbers",
  "latex",
  "log_turns",
  "tools",
  "response_format",
  "question_marks",
  "long_word_share",
  "log_lines",
  "stem_log_chars",
  "option_log_chars",
  "option_spread",
  "option_overlap",
  "option_numeric_share",
  "negations",
  "which_of_following",
  "step_words",
  "claims",
  "pronoun_share",
] as const;

export type LexicalFeature = (typeof LEXICAL_FEATURES)[number];

/** The verifier's answer features (src/routing/router/answer-features.ts). */
export const ANSWER_FEATURES = [
  "answer_log_chars",
  "answer_to_prompt",
  "answer_log_numbers",
  "arithmetic_checked",
  "arithmetic_wrong",
  "final_number",
  "final_fraction",
  "final_in_prompt",
  "hedges",
  "prompt_log_numbers",
  "prompt_numbers_unused",
  "final_log_magnitude",
  "final_negative",
  "final_is_last_result",
  "steps_per_prompt_number",
  "operands_ungrounded",
  "operands_ungrounded_any",
  "quantities_unused",
  "final_marked",
  "final_unsupported",
  "truncated",
  "algebra",
  "final_fraction_integer_prompt",
] as const;

export type AnswerFeature = (typeof ANSWER_FEATURES)[number];
