import type { CacheDecisionConfig } from "../../src/cache/decision/config";
import type { Measured, SeedResult } from "./evaluate";
import { type Rates, wilsonUpper } from "./metrics";

export const pct = (x: number, digits = 1): string => `${(x * 100).toFixed(digits)}%`;

export function hitCell(r: Rates): string {
  return `${pct(r.hitRate)} (${r.hits}/${r.duplicates})`;
}

export function falseHitCell(r: Rates): string {
  return `${pct(r.falseHitRate, 2)} (${r.falseHits}/${r.negatives})`;
}

/** Test hit-rate ratio of the shipped decision over the baseline; Infinity when the baseline hits nothing. */
export function hitRatio(result: SeedResult): number {
  const base = result.baseline.test.hitRate;
  return base === 0 ? Number.POSITIVE_INFINITY : result.shipped.test.hitRate / base;
}

export function describeConfig(c: CacheDecisionConfig): string {
  const parts = [`score ≥ ${c.threshold.toFixed(4)}`];
  if (c.minCosine > -1) parts.push(`cosine ≥ ${c.minCosine}`);
  if (c.vetoes.length > 0) parts.push(`vetoes: ${c.vetoes.join(", ")}`);
  const penalties = Object.entries(c.penalties).map(([name, p]) => `${name} −${p}`);
  if (penalties.length > 0) parts.push(`penalties: ${penalties.join(", ")}`);
  if (c.blend.overlap !== 0) parts.push(`overlap weight ${c.blend.overlap}`);
  if (c.blend.length !== 0) parts.push(`length penalty ${c.blend.length}`);
  return parts.join("; ");
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(" | ")} |`;
}

export interface TargetVerdict {
  reached: boolean;
  text: string;
}

/** The target: at most `targetFhr` false hits and at least 3× the baseline's duplicate hits, on the test half. */
export function verdict(result: SeedResult, targetFhr: number): TargetVerdict {
  const { baseline, shipped } = result;
  const needed = 3 * baseline.test.hitRate;
  const fhrOk = shipped.test.falseHitRate <= targetFhr;
  const hitsOk = shipped.test.hitRate >= needed;
  const reached = fhrOk && hitsOk;
  const text =
    `${reached ? "REACHED" : "NOT reached"}: shipped ${pct(shipped.test.hitRate)} duplicates hit at ` +
    `${pct(shipped.test.falseHitRate, 2)} false hits (${fhrOk ? "within" : "over"} ${pct(targetFhr, 0)}); ` +
    `3× the baseline would be ${pct(needed)} (ratio ${hitRatio(result).toFixed(2)}×).`;
  return { reached, text };
}

/** Upper end of the one-sided Wilson interval of a test false-hit rate (z = 1.645: 95%). */
export function falseHitUpperCell(r: Rates, z: number): string {
  return pct(wilsonUpper(r.falseHits, r.negatives, z), 2);
}

/** The table for the README: baseline vs shipped on the test half of one seed. */
export function markdownTable(result: SeedResult, targetFhr: number, z = 1.645): string {
  const { baseline, shipped } = result;
  const lines = [
    row([
      "Decision (threshold chosen on the calibration half)",
      "Duplicates hit",
      "False hits",
      `False hits, Wilson upper bound (z ${z})`,
      "Config",
    ]),
    row(["---", "---:", "---:", "---:", "---"]),
    row([
      `Best single global cosine threshold at ≤ ${pct(targetFhr, 0)} false hits`,
      hitCell(baseline.test),
      falseHitCell(baseline.test),
      falseHitUpperCell(baseline.test, z),
      `cosine ≥ ${baseline.config.threshold.toFixed(4)}`,
    ]),
    row([
      "Shipped decision (`decideHit`)",
      hitCell(shipped.test),
      falseHitCell(shipped.test),
      falseHitUpperCell(shipped.test, z),
      describeConfig(shipped.config),
    ]),
    row(["Ratio of duplicate hit rates", `${hitRatio(result).toFixed(2)}×`, "", "", "target ≥ 3×"]),
    row([
      "Shipped decision **as shipped** (`DEFAULT_CACHE_DECISION`, threshold not recalibrated)",
      hitCell(result.asShipped.test),
      falseHitCell(result.asShipped.test),
      falseHitUpperCell(result.asShipped.test, z),
      describeConfig(result.asShipped.config),
    ]),
  ];
  return lines.join("\n");
}

/** The paraphrase set: the same decisions on another dataset's style, never calibrated on. */
export function transferTable(result: SeedResult, z = 1.645): string {
  const lines = [
    row([
      "Decision (as calibrated / shipped above)",
      "Paraphrases hit",
      "False hits",
      `False hits, Wilson upper (z ${z})`,
    ]),
    row(["---", "---:", "---:", "---:"]),
    ...result.transfer.map((t) =>
      row([t.name, hitCell(t.rates), falseHitCell(t.rates), falseHitUpperCell(t.rates, z)]),
    ),
  ];
  return lines.join("\n");
}

export function ablationTable(result: SeedResult): string {
  const measured: Measured[] = [result.baseline, ...result.ablation, result.shipped];
  if (result.searched !== undefined) measured.push(result.searched);
  const lines = [
    row(["Technique (own calibrated threshold)", "Calibration hits", "Test duplicates hit", "Test false hits"]),
    row(["---", "---:", "---:", "---:"]),
    ...measured.map((m) => row([m.name, pct(m.calibrationHitRate), hitCell(m.test), falseHitCell(m.test)])),
  ];
  return lines.join("\n");
}

export function seedsTable(results: readonly SeedResult[]): string {
  const withSearch = results.every((r) => r.searched !== undefined);
  const header = ["Seed", "Baseline hits", "Baseline false hits", "Shipped hits", "Shipped false hits", "Ratio"];
  if (withSearch) header.push("Searched-here hits", "Searched-here false hits", "Searched-here ratio");
  const searchedRatio = (r: SeedResult) =>
    r.baseline.test.hitRate === 0
      ? Number.POSITIVE_INFINITY
      : (r.searched?.test.hitRate ?? 0) / r.baseline.test.hitRate;
  const cells = (r: {
    label: string;
    baseHit: number;
    baseFhr: number;
    hit: number;
    fhr: number;
    ratio: number;
    sHit: number;
    sFhr: number;
    sRatio: number;
  }) => {
    const out = [r.label, pct(r.baseHit), pct(r.baseFhr, 2), pct(r.hit), pct(r.fhr, 2), `${r.ratio.toFixed(2)}×`];
    if (withSearch) out.push(pct(r.sHit), pct(r.sFhr, 2), `${r.sRatio.toFixed(2)}×`);
    return row(out);
  };
  const mean = (f: (r: SeedResult) => number) => results.reduce((s, r) => s + f(r), 0) / results.length;
  const summary = (label: string, f: (g: (r: SeedResult) => number) => number) => ({
    label,
    baseHit: f((r) => r.baseline.test.hitRate),
    baseFhr: f((r) => r.baseline.test.falseHitRate),
    hit: f((r) => r.shipped.test.hitRate),
    fhr: f((r) => r.shipped.test.falseHitRate),
    ratio: f(hitRatio),
    sHit: f((r) => r.searched?.test.hitRate ?? 0),
    sFhr: f((r) => r.searched?.test.falseHitRate ?? 0),
    sRatio: f(searchedRatio),
  });
  return [
    row(header),
    row(header.map(() => "---:")),
    ...results.map((r) => cells(summary(String(r.seed), (g) => g(r)))),
    cells(summary("mean", mean)),
  ].join("\n");
}
