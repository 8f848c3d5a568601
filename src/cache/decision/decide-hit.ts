import type { CacheDecisionConfig } from "./config";
import { representabilityGuard } from "./representable";
import { decisionScore } from "./score";
import { analyseText, type TextFeatures } from "./text-features";
import { firstVeto } from "./vetoes";

export interface HitDecision {
  hit: boolean;
  /**
   * `hit`, `guard:script-mismatch` / `guard:unrepresentable` (the embedder cannot represent a text: no score is
   * trusted), `below-min-cosine`, `below-threshold`, or `veto:<name>` (would have hit but for that veto).
   */
  reason: string;
  /** The score compared with the threshold (see CacheDecisionConfig). */
  score: number;
}

/**
 * Whether a cache entry found by nearest-neighbour search may answer the query. Pure: no I/O, the same result in the
 * Worker and in the offline eval. Either text may be given pre-analysed, so a lookup that scores several candidates
 * analyses the query once.
 */
export function decideHit(
  query: string | TextFeatures,
  candidate: string | TextFeatures,
  cosine: number,
  config: CacheDecisionConfig,
): HitDecision {
  if (!Number.isFinite(cosine)) return { hit: false, reason: "below-min-cosine", score: Number.NEGATIVE_INFINITY };
  const a = typeof query === "string" ? analyseText(query) : query;
  const b = typeof candidate === "string" ? analyseText(candidate) : candidate;
  const score = decisionScore(a, b, cosine, config);
  // First, on every path (plain thresholds included): a cosine between texts the embedder cannot represent is noise.
  const guard = representabilityGuard(a.script, b.script, config.coverage ?? "latin");
  if (guard !== undefined) return { hit: false, reason: `guard:${guard}`, score };
  if (cosine < config.minCosine) return { hit: false, reason: "below-min-cosine", score };
  if (score < config.threshold) return { hit: false, reason: "below-threshold", score };
  // Checked last, so `veto:<name>` always means "this pair would have hit but for the veto".
  const veto = firstVeto(config.vetoes, a, b);
  if (veto !== undefined) return { hit: false, reason: `veto:${veto}`, score };
  return { hit: true, reason: "hit", score };
}
