import type { CacheDecisionConfig } from "../../src/cache/decision/config";
import { VETO_NAMES, type VetoName } from "../../src/cache/decision/vetoes";
import { ratesAt, type Scored, thresholdAtFhr } from "./metrics";
import { effectiveScore, type PairFacts, type Shape, vetoMaskOf } from "./pair-facts";

/** How calibration turns a shape into a threshold: the target false-hit rate and the Wilson z of its error bound. */
export interface Budget {
  targetFhr: number;
  z: number;
}

export function effectiveScores(facts: readonly PairFacts[], shape: Shape): Scored[] {
  const hardMask = vetoMaskOf(shape.vetoes);
  return facts.map((f) => ({ duplicate: f.pair.duplicate, score: effectiveScore(f, shape, hardMask) }));
}

export interface Calibrated {
  config: CacheDecisionConfig;
  /** Duplicate hit rate on the calibration pairs at the chosen threshold. */
  calibrationHitRate: number;
}

export function calibrate(facts: readonly PairFacts[], shape: Shape, budget: Budget): Calibrated {
  const scored = effectiveScores(facts, shape);
  const threshold = thresholdAtFhr(scored, budget.targetFhr, budget.z);
  return { config: { ...shape, threshold }, calibrationHitRate: ratesAt(scored, threshold).hitRate };
}

export const PLAIN_SHAPE: Shape = { minCosine: -1, vetoes: [], penalties: {}, blend: { overlap: 0, length: 0 } };

/** "hard" makes the check a veto; a number makes it a penalty; 0 turns it off. */
type VetoLevel = number | "hard";

export interface SearchSpace {
  overlap: readonly number[];
  length: readonly number[];
  minCosine: readonly number[];
  vetoLevels: readonly VetoLevel[];
  vetoes: readonly VetoName[];
}

export const DEFAULT_SPACE: SearchSpace = {
  overlap: [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5],
  length: [0, 0.01, 0.02, 0.03, 0.05, 0.08],
  minCosine: [-1, 0.5, 0.6, 0.7, 0.8],
  vetoLevels: [0, 0.005, 0.01, 0.02, 0.03, 0.05, 0.08, "hard"],
  vetoes: VETO_NAMES,
};

function withVeto(shape: Shape, name: VetoName, level: VetoLevel): Shape {
  const vetoes = VETO_NAMES.filter((v) => (v === name ? level === "hard" : shape.vetoes.includes(v)));
  const penalties: Partial<Record<VetoName, number>> = { ...shape.penalties };
  delete penalties[name];
  if (typeof level === "number" && level !== 0) penalties[name] = level;
  return { ...shape, vetoes, penalties };
}

/** Every single-parameter change of `shape` that the space allows. */
function neighbours(shape: Shape, space: SearchSpace): Shape[] {
  const out: Shape[] = [];
  for (const overlap of space.overlap) out.push({ ...shape, blend: { ...shape.blend, overlap } });
  for (const length of space.length) out.push({ ...shape, blend: { ...shape.blend, length } });
  for (const minCosine of space.minCosine) out.push({ ...shape, minCosine });
  for (const name of space.vetoes) for (const level of space.vetoLevels) out.push(withVeto(shape, name, level));
  return out;
}

/** Every check as a hard veto: the second starting point of the search. */
export const ALL_VETOES_SHAPE: Shape = { ...PLAIN_SHAPE, vetoes: VETO_NAMES };

function ascend(facts: readonly PairFacts[], budget: Budget, space: SearchSpace, start: Shape, maxRounds: number) {
  let best = calibrate(facts, start, budget);
  for (let round = 0; round < maxRounds; round++) {
    let improved = false;
    for (const candidate of neighbours(best.config, space)) {
      const c = calibrate(facts, candidate, budget);
      if (c.calibrationHitRate > best.calibrationHitRate + 1e-12) {
        best = c;
        improved = true;
      }
    }
    if (!improved) break;
  }
  return best;
}

/**
 * Coordinate ascent on the calibration pairs: change one parameter at a time to whatever value hits the most
 * calibration duplicates within the false-hit budget, until no single change helps. It starts from the plain cosine
 * and from "every check a hard veto" (the landscape has plateaus, so one start gets stuck) and keeps the better.
 * Only strict improvements move, so ties keep the simpler shape. The test pairs are never seen here.
 */
export function searchShape(
  facts: readonly PairFacts[],
  budget: Budget,
  space: SearchSpace = DEFAULT_SPACE,
  starts: readonly Shape[] = [PLAIN_SHAPE, ALL_VETOES_SHAPE],
  maxRounds = 6,
): Calibrated {
  let best: Calibrated | undefined;
  for (const start of starts) {
    const c = ascend(facts, budget, space, start, maxRounds);
    if (best === undefined || c.calibrationHitRate > best.calibrationHitRate + 1e-12) best = c;
  }
  if (best === undefined) throw new Error("searchShape needs at least one start");
  return best;
}
