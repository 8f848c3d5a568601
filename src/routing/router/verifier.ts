import type { VerifierArtifact } from "../../policy/artifact-types";
import { type AnswerFacts, type AnswerFeature, answerFeatures, isAnswerFeature } from "./answer-features";
import { answerSignals } from "./answer-signals";
import { linearProbability } from "./linear";

/**
 * Deterministic reasons a cheap answer cannot be kept, whatever any model says: nothing was said, the model
 * refused, it was cut off (by the upstream, or visibly: it ends inside a calculator annotation), or one of its
 * arithmetic steps is wrong. (Schema checks of `response_format` and upstream
 * logprobs belong to the cascade's runtime, which has the request's schema and the upstream's logprobs.)
 */
export type AnswerCheck = "empty" | "refusal" | "length" | "truncated" | "arithmetic";

const REFUSAL =
  /^\s*(?:I(?:'m| am) (?:sorry|unable|not able)|I can(?:'|no)t (?:help|assist|answer|provide)|As an AI\b|I apologi[sz]e)/i;

export function failedChecks(facts: AnswerFacts, arithmeticCheck = true): AnswerCheck[] {
  const failed: AnswerCheck[] = [];
  const empty = facts.answer.trim() === "";
  if (empty) failed.push("empty");
  else if (REFUSAL.test(facts.answer)) failed.push("refusal");
  if (facts.finishReason === "length") failed.push("length");
  if (empty) return failed;
  const signals = answerSignals(facts.prompt, facts.answer);
  if (facts.finishReason !== "length" && signals.cutInAnnotation) failed.push("truncated");
  if (arithmeticCheck && signals.claims.some((c) => c.wrong)) failed.push("arithmetic");
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
  /** Whether a wrong arithmetic step escalates on its own (default true; it may also be a model feature). */
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
  const failed = failedChecks(facts, options.arithmeticCheck !== false);
  if (failed.length > 0) return { confidence: 0, escalate: true, failed };
  const names = namesOf(artifact);
  const features = answerFeatures(facts, names);
  const threshold = options.threshold ?? artifact.threshold;
  const usable = promptEmbedding !== undefined && promptEmbedding.length === artifact.embedder.dims;
  if (artifact.features.embedding && !usable) return { confidence: 0, escalate: true, failed };
  const p = linearProbability(artifact.model, artifact.features.embedding ? promptEmbedding : undefined, features);
  return { confidence: Math.round(p * 10_000) / 10_000, escalate: p < threshold, failed };
}
