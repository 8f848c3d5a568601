import type { EmbedderCoverage } from "./representable";
import type { VetoName } from "./vetoes";

/**
 * How a semantic cache decides whether a candidate entry may answer a query. Carried by the cache policy.
 *
 * score = (1 − blend.overlap) · cosine + blend.overlap · jaccard(content words)
 *         − blend.length · |ln(query words / entry words)| − Σ penalties[v] for each lexical check v that fires
 *
 * A hit needs score ≥ threshold, cosine ≥ minCosine (so lexical overlap alone never makes a hit) and none of the hard
 * `vetoes` firing. With no blend, penalties or vetoes the score is the plain cosine — NOT Upstash's `(1 + cos) / 2`.
 */
export interface CacheDecisionConfig {
  threshold: number;
  /** Floor on the raw cosine, whatever the blended score. -1 disables it. */
  minCosine: number;
  /** Hard vetoes, in order; the first that fires is the miss reason. */
  vetoes: readonly VetoName[];
  /** Soft vetoes: subtracted from the score when the check fires, so only a very close pair still hits. */
  penalties: Readonly<Partial<Record<VetoName, number>>>;
  /**
   * Which scripts the embedder represents (representable.ts); absent = `latin`, the safe assumption. The guard runs
   * on every decision, before the score.
   */
  coverage?: EmbedderCoverage;
  blend: {
    /** Weight of content-word Jaccard in the score, 0..1. */
    overlap: number;
    /** Penalty per unit of |ln(words ratio)|, ≥ 0. */
    length: number;
  };
}

/** A single global cosine threshold: the weak baseline. */
export function plainCosineConfig(threshold: number): CacheDecisionConfig {
  return { threshold, minCosine: -1, vetoes: [], penalties: {}, blend: { overlap: 0, length: 0 } };
}
