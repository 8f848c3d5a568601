import type { CascadeConfig } from "../../policy/types";
import type { LogprobStats } from "./logprobs";

/**
 * The cascade's judgement of a cheap answer. Pure: the caller computes the facts (checks, logprob statistics, the
 * verifier's score) and this decides. A failed deterministic check always escalates; a confidence score below its
 * threshold escalates unless the premium cap holds score-based escalations back. The reported confidence is the
 * lowest of the scores (0 after a failed check), so headers and usage events show one number.
 */

export type CheckName = "empty" | "refusal" | "length" | "json";

export interface AnswerFacts {
  /** Deterministic checks the answer failed (only those enabled in policy are looked at). */
  failed: CheckName[];
  logprobs?: LogprobStats;
  /** The verifier's score for (prompt, answer), 0..1, when a verifier is configured and ran. */
  verifier?: number;
  /** A stream answer longer than the buffer: sent unjudged by scores. */
  overflowed?: boolean;
}

export type SignalName = CheckName | "logprob_mean" | "logprob_min" | "verifier";

export interface Judgement {
  escalate: boolean;
  /** Lowest score among the signals that gave one; 0 after a failed check; undefined when no signal spoke. */
  confidence?: number;
  /** The signal that decided to escalate (or the weakest one, when none did). */
  signal?: SignalName;
  /** An escalation the premium cap held back. */
  heldByCap?: boolean;
}

interface Score {
  signal: SignalName;
  value: number;
  below: number;
}

function scores(facts: AnswerFacts, policy: CascadeConfig): Score[] {
  const out: Score[] = [];
  const lp = facts.logprobs;
  if (policy.logprobs !== undefined && lp !== undefined) {
    out.push({
      signal: "logprob_mean",
      value: Math.exp(lp.mean),
      below: policy.logprobs.mean_below ?? policy.escalate_below,
    });
    if (policy.logprobs.min_below !== undefined)
      out.push({ signal: "logprob_min", value: Math.exp(lp.min), below: policy.logprobs.min_below });
  }
  if (policy.verifier !== undefined && facts.verifier !== undefined) {
    out.push({ signal: "verifier", value: facts.verifier, below: policy.verifier.below ?? policy.escalate_below });
  }
  return out;
}

export function judgeAnswer(facts: AnswerFacts, policy: CascadeConfig, atPremiumCap = false): Judgement {
  const failed = facts.failed.find((check) => policy.checks[check]);
  if (failed !== undefined) return { escalate: true, confidence: 0, signal: failed };
  if (facts.overflowed === true) return { escalate: false };
  const all = scores(facts, policy);
  if (all.length === 0) return { escalate: false };
  let weakest = all[0] as Score;
  for (const s of all) if (s.value < weakest.value) weakest = s;
  const confidence = Math.min(...all.map((s) => s.value));
  const low = all.find((s) => s.value < s.below);
  if (low === undefined) return { escalate: false, confidence, signal: weakest.signal };
  if (atPremiumCap) return { escalate: false, confidence, signal: low.signal, heldByCap: true };
  return { escalate: true, confidence, signal: low.signal };
}
