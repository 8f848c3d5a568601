import type { CacheDecisionConfig } from "../../src/cache/decision/config";
import { decideHit } from "../../src/cache/decision/decide-hit";
import { VETO_NAMES } from "../../src/cache/decision/vetoes";
import { type Rates, ratesAt, ratesFromHits } from "./metrics";
import type { PairFacts, Shape } from "./pair-facts";
import { splitHalves } from "./random";
import { type Budget, calibrate, effectiveScores, PLAIN_SHAPE, searchShape } from "./search";

/** One way of deciding, calibrated on the calibration half and measured on the test half. */
export interface Measured {
  name: string;
  config: CacheDecisionConfig;
  calibrationHitRate: number;
  test: Rates;
}

export interface SeedResult {
  seed: number;
  calibrationPairs: number;
  testPairs: number;
  baseline: Measured;
  shipped: Measured;
  /** The shape the search finds on this calibration half (only with --search). */
  searched: Measured | undefined;
  /** Each technique alone (and all vetoes together), each with its own calibrated threshold. */
  ablation: Measured[];
  /** Test pairs where the fast eval path and decideHit disagree; must be 0. */
  mismatches: number;
  /** DEFAULT_CACHE_DECISION exactly as the Worker ships it (its own threshold, not recalibrated), via decideHit. */
  asShipped: Measured;
  /** The paraphrase set (another dataset's style, never calibrated on): each decision as measured above. */
  transfer: { name: string; rates: Rates }[];
}

export function splitFacts(facts: readonly PairFacts[], seed: number): { calibration: PairFacts[]; test: PairFacts[] } {
  // QQP and arena are split separately so both halves get their share of the (few) arena negatives.
  const qqp = splitHalves(
    facts.filter((f) => f.pair.source === "qqp"),
    seed,
  );
  const arena = splitHalves(
    facts.filter((f) => f.pair.source === "arena"),
    seed + 7919,
  );
  return { calibration: [...qqp.calibration, ...arena.calibration], test: [...qqp.test, ...arena.test] };
}

function measure(
  name: string,
  calibration: readonly PairFacts[],
  test: readonly PairFacts[],
  shape: Shape,
  budget: Budget,
): Measured {
  const c = calibrate(calibration, shape, budget);
  return {
    name,
    config: c.config,
    calibrationHitRate: c.calibrationHitRate,
    test: ratesAt(effectiveScores(test, shape), c.config.threshold),
  };
}

/** The shipped decision measured through decideHit itself (the Worker's code), not the eval's fast path. */
function measureThroughDecideHit(test: readonly PairFacts[], config: CacheDecisionConfig): Rates {
  return ratesFromHits(
    test.map((f) => ({
      hit: decideHit(f.pair.query, f.pair.entry, f.cosine, config).hit,
      duplicate: f.pair.duplicate,
    })),
  );
}

function ablationShapes(): [string, Shape][] {
  const shapes: [string, Shape][] = VETO_NAMES.map((v) => [`veto: ${v}`, { ...PLAIN_SHAPE, vetoes: [v] }]);
  shapes.push(["all vetoes", { ...PLAIN_SHAPE, vetoes: VETO_NAMES }]);
  shapes.push(["blend: overlap 0.2", { ...PLAIN_SHAPE, blend: { overlap: 0.2, length: 0 } }]);
  shapes.push(["blend: length 0.02", { ...PLAIN_SHAPE, blend: { overlap: 0, length: 0.02 } }]);
  return shapes;
}

export function evaluateSeed(
  facts: readonly PairFacts[],
  seed: number,
  budget: Budget,
  shippedShape: Shape,
  search: boolean,
  shippedConfig: CacheDecisionConfig = { ...shippedShape, threshold: Number.POSITIVE_INFINITY },
): SeedResult {
  const { calibration, test } = splitFacts(facts, seed);
  const paraphrase = facts.filter((f) => f.pair.source === "paraphrase");
  const baseline = measure("single global cosine threshold", calibration, test, PLAIN_SHAPE, budget);
  const shipped = measure("shipped decision", calibration, test, shippedShape, budget);
  const viaDecideHit = measureThroughDecideHit(test, shipped.config);
  const mismatches =
    Math.abs(viaDecideHit.hits - shipped.test.hits) + Math.abs(viaDecideHit.falseHits - shipped.test.falseHits);
  shipped.test = viaDecideHit;
  let searched: Measured | undefined;
  if (search) {
    const found = searchShape(calibration, budget);
    const { threshold: _, ...shape } = found.config;
    searched = measure("searched on this calibration half", calibration, test, shape, budget);
  }
  const ablation = ablationShapes().map(([name, shape]) => measure(name, calibration, test, shape, budget));
  const asShipped: Measured = {
    name: "shipped decision as shipped",
    config: shippedConfig,
    calibrationHitRate: Number.NaN,
    test: measureThroughDecideHit(test, shippedConfig),
  };
  const transfer =
    paraphrase.length === 0
      ? []
      : [
          { name: baseline.name, rates: measureThroughDecideHit(paraphrase, baseline.config) },
          { name: "shipped decision (recalibrated)", rates: measureThroughDecideHit(paraphrase, shipped.config) },
          { name: asShipped.name, rates: measureThroughDecideHit(paraphrase, shippedConfig) },
        ];
  return {
    seed,
    calibrationPairs: calibration.length,
    testPairs: test.length,
    baseline,
    shipped,
    searched,
    ablation,
    mismatches,
    asShipped,
    transfer,
  };
}
