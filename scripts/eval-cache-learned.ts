/**
 * `npx tsx scripts/eval-cache-learned.ts`: does a learned model beat the hand-shaped hit decision? Same data, split
 * and false-hit rule as `npm run eval:cache` (scripts/eval-cache.ts, which documents the flags; --search adds the
 * hand shape re-searched on each calibration half). For every split seed it trains gradient-boosted trees
 * (scripts/eval/boost.ts) over cheap pair features (scripts/eval/pair-vector.ts) on the calibration half, picks its
 * threshold on cross-fitted calibration scores, and reports on the test half next to the best single global cosine
 * threshold and the shipped decision, each with its ceiling (threshold picked on the test half: an upper bound) and
 * the QQP label-noise floor. Nothing here is shipped: the model is trained, measured and thrown away.
 */
import { DEFAULT_CACHE_DECISION } from "../src/cache/decision/defaults";
import { DEFAULT_BOOST } from "./eval/boost";
import { ceilingRates, noiseFloor } from "./eval/ceiling";
import { evaluateSeed, type Measured, splitFacts } from "./eval/evaluate";
import { LEARNED_FOLDS, measureLearned } from "./eval/learned";
import {
  type ComparedRow,
  type ComparedSeed,
  comparisonTable,
  meanTable,
  targetArithmetic,
} from "./eval/learned-report";
import { loadFacts } from "./eval/load";
import { parseEvalOptions } from "./eval/options";
import type { PairFacts } from "./eval/pair-facts";
import { PAIR_VECTOR_NAMES } from "./eval/pair-vector";
import { effectiveScores } from "./eval/search";

const NOISE_COSINES = [0.97, 0.95, 0.9];

function handShaped(m: Measured, test: readonly PairFacts[], targetFhr: number): ComparedRow {
  const { threshold: _, ...shape } = m.config;
  return { name: m.name, test: m.test, ceiling: ceilingRates(effectiveScores(test, shape), targetFhr) };
}

async function main(): Promise<number> {
  const parsed = parseEvalOptions(process.argv.slice(2));
  if (!parsed.ok) {
    (parsed.help ? console.log : console.error)(parsed.message);
    return parsed.help ? 0 : 2;
  }
  const o = parsed.options;
  const loaded = await loadFacts(o);
  if (!loaded.ok) {
    console.log(`eval-cache-learned: evaluation data not found (${loaded.missing.join(", ")}); skipping.`);
    return 0;
  }
  const started = performance.now();
  const budget = { targetFhr: o.targetFhr, z: o.z };
  const { threshold: _, ...shippedShape } = DEFAULT_CACHE_DECISION;
  const results: ComparedSeed[] = [];
  for (let k = 0; k < o.seeds; k++) {
    const seed = o.seed + k;
    const { calibration, test } = splitFacts(loaded.facts, seed);
    const hand = evaluateSeed(loaded.facts, seed, budget, shippedShape, o.search);
    const rows = [
      handShaped({ ...hand.baseline, name: "Best single global cosine threshold" }, test, o.targetFhr),
      handShaped({ ...hand.shipped, name: "Shipped decision (`DEFAULT_CACHE_DECISION` shape)" }, test, o.targetFhr),
    ];
    if (hand.searched !== undefined) {
      rows.push(
        handShaped({ ...hand.searched, name: "Hand shape searched on this calibration half" }, test, o.targetFhr),
      );
    }
    const learned = measureLearned(calibration, test, budget, seed);
    rows.push({
      name: `Learned: boosted trees over ${PAIR_VECTOR_NAMES.length} pair features`,
      test: learned.test,
      ceiling: ceilingRates(learned.testScores, o.targetFhr),
    });
    results.push({ seed, rows });
  }
  const first = results[0];
  if (first === undefined) return 1;
  const b = DEFAULT_BOOST;
  console.log(
    `\nLearned vs hand-shaped hit decision — USE-lite, ${loaded.facts.length} pairs; budget ≤ ${(o.targetFhr * 100).toFixed(1)}%` +
      ` false hits (Wilson z = ${o.z}) on the calibration half for every row.`,
  );
  console.log(
    `  Learned model: ${b.trees} trees of depth ${b.depth}, learning rate ${b.learningRate}, trained on the calibration` +
      ` half; threshold from ${LEARNED_FOLDS}-fold cross-fitted calibration scores. Features: ${PAIR_VECTOR_NAMES.join(", ")}.`,
  );
  console.log(`\nTest half (seed ${first.seed}):\n\n${comparisonTable(first, o.targetFhr, o.z)}\n`);
  if (results.length > 1) console.log(`Across ${results.length} split seeds:\n\n${meanTable(results)}\n`);
  const floors = NOISE_COSINES.map((c) => noiseFloor(loaded.facts, c));
  console.log(targetArithmetic(first, o.targetFhr, floors));
  console.log(`\nTiming: training and measuring ${((performance.now() - started) / 1000).toFixed(1)} s.`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
