import type { NoiseFloor } from "./ceiling";
import type { Rates } from "./metrics";
import { falseHitCell, falseHitUpperCell, hitCell, pct } from "./report";

/** One decision on one split: test rates at its calibrated threshold, and its ceiling (see ceiling.ts). */
export interface ComparedRow {
  name: string;
  test: Rates;
  ceiling: Rates;
}

/** rows[0] is the baseline (best single global cosine threshold) every ratio is taken against. */
export interface ComparedSeed {
  seed: number;
  rows: ComparedRow[];
}

const row = (cells: readonly string[]): string => `| ${cells.join(" | ")} |`;

function ratio(x: number, base: number): string {
  return base === 0 ? "∞" : `${(x / base).toFixed(2)}×`;
}

export function comparisonTable(result: ComparedSeed, targetFhr: number, z: number): string {
  const base = result.rows[0]?.test.hitRate ?? 0;
  const baseCeiling = result.rows[0]?.ceiling.hitRate ?? 0;
  return [
    row([
      "Decision (threshold chosen on the calibration half)",
      "Duplicates hit",
      "False hits",
      `False hits, Wilson upper bound (z ${z})`,
      "Ratio",
      `Ceiling: hits at ≤ ${pct(targetFhr, 0)} with the threshold picked on the test half (ratio of ceilings)`,
    ]),
    row(["---", "---:", "---:", "---:", "---:", "---:"]),
    ...result.rows.map((r) =>
      row([
        r.name,
        hitCell(r.test),
        falseHitCell(r.test),
        falseHitUpperCell(r.test, z),
        ratio(r.test.hitRate, base),
        `${hitCell(r.ceiling)} (${ratio(r.ceiling.hitRate, baseCeiling)})`,
      ]),
    ),
  ].join("\n");
}

export function meanTable(results: readonly ComparedSeed[]): string {
  const names = results[0]?.rows.map((r) => r.name) ?? [];
  const mean = (f: (s: ComparedSeed) => number) => results.reduce((s, r) => s + f(r), 0) / results.length;
  const baseHit = (s: ComparedSeed) => s.rows[0]?.test.hitRate ?? 0;
  const baseCeiling = (s: ComparedSeed) => s.rows[0]?.ceiling.hitRate ?? 0;
  const lines = [
    row([
      "Decision (mean over seeds)",
      "Duplicates hit",
      "False hits",
      "Ratio",
      "Worst seed ratio",
      "Ratio of ceilings",
    ]),
    row(["---", "---:", "---:", "---:", "---:", "---:"]),
  ];
  for (const [i, name] of names.entries()) {
    const at = (s: ComparedSeed) => s.rows[i] ?? { test: s.rows[0]?.test, ceiling: s.rows[0]?.ceiling };
    const ratioOf = (s: ComparedSeed) => (at(s).test?.hitRate ?? 0) / Math.max(1e-12, baseHit(s));
    lines.push(
      row([
        name,
        pct(mean((s) => at(s).test?.hitRate ?? 0)),
        pct(
          mean((s) => at(s).test?.falseHitRate ?? 0),
          2,
        ),
        `${mean(ratioOf).toFixed(2)}×`,
        `${Math.min(...results.map(ratioOf)).toFixed(2)}×`,
        `${mean((s) => (at(s).ceiling?.hitRate ?? 0) / Math.max(1e-12, baseCeiling(s))).toFixed(2)}×`,
      ]),
    );
  }
  return lines.join("\n");
}

/** What 3× the baseline asks of the test half, as a precision among hits, next to the label-noise floor. */
export function targetArithmetic(result: ComparedSeed, targetFhr: number, floors: readonly NoiseFloor[]): string {
  const base = result.rows[0]?.test;
  if (base === undefined) return "";
  const neededHits = Math.ceil(3 * base.hits);
  const allowedFalse = Math.floor(targetFhr * base.negatives + 1e-9);
  const precision = neededHits / (neededHits + allowedFalse);
  const lines = [
    `3× the global threshold on this test half needs ≥ ${neededHits} of ${base.duplicates} duplicates hit ` +
      `(${pct(neededHits / Math.max(1, base.duplicates))}) with ≤ ${allowedFalse} false hits of ${base.negatives}: ` +
      `≥ ${pct(precision)} of all hits must be right.`,
    "QQP label-noise floor (all pairs with identical content words and no lexical check firing):",
  ];
  for (const f of floors) {
    lines.push(
      `  cosine ≥ ${f.minCosine}: ${f.pairs} pairs, ${pct(f.duplicates / Math.max(1, f.pairs))} labelled duplicate; ` +
        `they hold ${pct(f.duplicates / Math.max(1, f.qqpDuplicates))} of QQP's ${f.qqpDuplicates} duplicates.`,
    );
  }
  return lines.join("\n");
}
