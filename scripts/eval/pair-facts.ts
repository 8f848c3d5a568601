import type { CacheDecisionConfig } from "../../src/cache/decision/config";
import { combineScore, lengthLogRatio } from "../../src/cache/decision/score";
import { analyseText, jaccard } from "../../src/cache/decision/text-features";
import { VETO_NAMES, VETOES, type VetoName } from "../../src/cache/decision/vetoes";
import type { LabelledPair } from "./data";

/**
 * Everything the decision needs about one labelled pair, computed once with the decision's own functions, so a
 * search over thousands of configurations does not re-tokenise 20,000 pairs each time.
 */
export interface PairFacts {
  pair: LabelledPair;
  cosine: number;
  overlap: number;
  lengthLog: number;
  /** Bit i set: check VETO_NAMES[i] fires on this pair. */
  vetoMask: number;
}

export const vetoBit = (name: VetoName): number => 1 << VETO_NAMES.indexOf(name);

export function vetoMaskOf(names: readonly VetoName[]): number {
  let mask = 0;
  for (const name of names) mask |= vetoBit(name);
  return mask;
}

export function pairFacts(pair: LabelledPair, cosine: number): PairFacts {
  const a = analyseText(pair.query);
  const b = analyseText(pair.entry);
  let vetoMask = 0;
  for (const name of VETO_NAMES) if (VETOES[name](a, b)) vetoMask |= vetoBit(name);
  return { pair, cosine, overlap: jaccard(a.content, b.content), lengthLog: lengthLogRatio(a, b), vetoMask };
}

/** A decision config without its threshold: the threshold is what calibration picks for a target false-hit rate. */
export type Shape = Omit<CacheDecisionConfig, "threshold">;

/** The score the decision compares with the threshold, or -Infinity when the pair can never hit. */
export function effectiveScore(f: PairFacts, shape: Shape, hardMask = vetoMaskOf(shape.vetoes)): number {
  if (f.cosine < shape.minCosine || (f.vetoMask & hardMask) !== 0) return Number.NEGATIVE_INFINITY;
  return combineScore(f.cosine, f.overlap, f.lengthLog, (name) => (f.vetoMask & vetoBit(name)) !== 0, shape);
}
