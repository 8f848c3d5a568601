import type { VerifierArtifact } from "../../policy/artifact-types";
import { type AnswerFacts, type AnswerFeature, answerFeatures, isAnswerFeature } from "./answer-features";
import { linearProbability } from "./linear";

/**
 * Deterministic reasons a cheap answer cannot be kept, whatever any model says: nothing was said, the model
 * refused, or it was cut off. (Schema checks of `response_format` and upstream logprobs belong to the cascade's
 * runtime, which has the request's schema and the upstream's logprobs.)
 */
export type AnswerCheck = "empty" | "refusal" | "length" | "arithmetic";

const REFUSAL =
  /^\s*(?:I(?:'m| am) (?:sorry|unable|not able)|I can(?:'|no)t (?:help|assist|answer|provide)|As an AI\b|I apologi[sz]e)/i;

export function failedChecks(facts: AnswerFacts, arithmeticWrong: boolean): AnswerCheck[] {
  const failed: AnswerCheck[] = [];
  if (facts.answer.trim() === "") failed.push("empty");
  else if (REFUSAL.test(facts.answer)) failed.push("refusal");
  if (facts.finishReason === "length") failed.push("length");
  if (arithmeticWrong) failed.push("arithmetic");
  return failed;
}

export interface VerifierVerdict {
  /** Probability the cheap answer is right, 0..1 (4 decimals); 0 when a deterministic check failed. */
  confidence: number;
  escalate: boolean;
  /** Deterministic checks the answer failed (any one escalates). */
  failed: AnswerCheck[];
}

export interface VerifierOptions {
  /** Overrides the artifact's calibrated threshold (the policy's `escalate_below`). */
  threshold?: number;
  /** Whether a wrong arithmetic step escalates on its own (default true; it is also a model feature). */
  arithmeticCheck?: boolean;
}

const answerNames = new WeakMap<VerifierArtifact, AnswerFeature[]>();

function namesOf(artifact: VerifierArtifact): AnswerFeature[] {
  let names = answerNames.get(artifact);
  if (names === undefined) {
    names = artifact.features.answer.filter(isAnswerFeature);
    answerNames.set(artifact, names);
  }
  return names;
}

/**
 * Pure: (prompt, cheap answer, the request's prompt embedding — the one the router and cache used) -> whether to
 * escalate. An artifact that needs the embedding and gets none escalates (it cannot vouch for the answer).
 */
export function scoreVerifier(
  artifact: VerifierArtifact,
  facts: AnswerFacts,
  promptEmbedding: ArrayLike<number> | undefined,
  options: VerifierOptions = {},
): VerifierVerdict {
  const names = namesOf(artifact);
  const features = answerFeatures(facts, names);
  const wrongAt = names.indexOf("arithmetic_wrong");
  const arithmeticWrong = options.arithmeticCheck !== false && wrongAt >= 0 && (features[wrongAt] ?? 0) > 0;
  const failed = failedChecks(facts, arithmeticWrong);
  const threshold = options.threshold ?? artifact.threshold;
  if (failed.length > 0) return { confidence: 0, escalate: true, failed };
  const usable = promptEmbedding !== undefined && promptEmbedding.length === artifact.embedder.dims;
  if (artifact.features.embedding && !usable) return { confidence: 0, escalate: true, failed };
  const p = linearProbability(artifact.model, artifact.features.embedding ? promptEmbedding : undefined, features);
  return { confidence: Math.round(p * 10_000) / 10_000, escalate: p < threshold, failed };
}
