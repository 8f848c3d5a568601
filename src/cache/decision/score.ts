import type { CacheDecisionConfig } from "./config";
import { jaccard, type TextFeatures } from "./text-features";
import { VETO_NAMES, VETOES } from "./vetoes";

/** |ln(words ratio)|, smoothed by one word so an empty text is not infinitely far from a one-word text. */
export function lengthLogRatio(a: TextFeatures, b: TextFeatures): number {
  return Math.abs(Math.log((a.words.length + 1) / (b.words.length + 1)));
}

/**
 * The score from its ingredients, in one fixed order of operations: the decision and the offline eval (which
 * precomputes the ingredients) both call this, so they agree to the last bit.
 */
export function combineScore(
  cosine: number,
  overlap: number,
  lengthLog: number,
  fired: (name: (typeof VETO_NAMES)[number]) => boolean,
  config: Pick<CacheDecisionConfig, "blend" | "penalties">,
): number {
  const { blend, penalties } = config;
  let score = (1 - blend.overlap) * cosine + blend.overlap * overlap - blend.length * lengthLog;
  for (const name of VETO_NAMES) {
    const penalty = penalties[name];
    if (penalty !== undefined && penalty !== 0 && fired(name)) score -= penalty;
  }
  return score;
}

/** The decision score (see CacheDecisionConfig); equals `cosine` when there is no blend and no penalty. */
export function decisionScore(
  a: TextFeatures,
  b: TextFeatures,
  cosine: number,
  config: Pick<CacheDecisionConfig, "blend" | "penalties">,
): number {
  const overlap = config.blend.overlap === 0 ? 0 : jaccard(a.content, b.content);
  const lengthLog = config.blend.length === 0 ? 0 : lengthLogRatio(a, b);
  return combineScore(cosine, overlap, lengthLog, (name) => VETOES[name](a, b), config);
}
