import { type Comparison, exceeds, type PolicyFigures } from "./summary";

const credits = (micros: number) => (micros / 1_000_000).toFixed(6);
const pct = (x: number | null) => (x === null ? "n/a" : `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)}%`);
const share = (f: PolicyFigures) => (f.served === 0 ? "n/a" : `${((f.premium / f.served) * 100).toFixed(1)}%`);
const change = (a: number, b: number) => (a === 0 ? (b === 0 ? "" : "new") : pct((b - a) / a));

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join("   ")
      .trimEnd(),
  );
}

function keys(...records: Record<string, number>[]): string[] {
  return [...new Set(records.flatMap((r) => Object.keys(r)))].sort();
}

/** The report a person reads (and a CI log shows): current and candidate side by side. */
export function formatComparison(c: Comparison, maxIncrease?: number): string {
  const { current: a, candidate: b } = c;
  const passed = Object.entries(c.passthrough).map(([why, n]) => `${n} ${why}`);
  const lines = [
    `Replayed ${c.replayed} of ${c.events} recorded requests against both policies` +
      (passed.length > 0 ? ` (at their recorded cost, not replayed: ${passed.join(", ")})` : "") +
      ".",
    ...(c.approximate > 0
      ? [`${c.approximate} request(s) carry no recorded routing inputs: replayed from their token counts alone.`]
      : []),
    `Recorded cost: ${credits(c.recordedCost)} credits. Costs assume each answer keeps its recorded token counts.`,
    "",
  ];
  const rows: string[][] = [
    ["", "current", "candidate", "change"],
    ["policy", a.version.slice(0, 23), b.version.slice(0, 23), ""],
    ["total cost (credits)", credits(a.totalCost), credits(b.totalCost), pct(c.costChange)],
    ["premium share", share(a), share(b), ""],
    ["served", String(a.served), String(b.served), ""],
    ["refused", String(sum(a.refused)), String(sum(b.refused)), ""],
  ];
  rows.push(["cost by feature", "", "", ""]);
  for (const k of keys(a.costByFeature, b.costByFeature)) {
    const x = a.costByFeature[k] ?? 0;
    const y = b.costByFeature[k] ?? 0;
    rows.push([`  ${k}`, credits(x), credits(y), change(x, y)]);
  }
  rows.push(["model choices (requests)", "", "", ""]);
  for (const k of keys(a.choices, b.choices))
    rows.push([`  ${k}`, String(a.choices[k] ?? 0), String(b.choices[k] ?? 0), ""]);
  const reasons = keys(a.refused, b.refused);
  if (reasons.length > 0) {
    rows.push(["refusals", "", "", ""]);
    for (const k of reasons) rows.push([`  ${k}`, String(a.refused[k] ?? 0), String(b.refused[k] ?? 0), ""]);
  }
  lines.push(...table(rows));
  const stale = Object.entries(c.staleModels);
  if (stale.length > 0) {
    lines.push("", "Models the recorded traffic uses that the candidate removed or left unpriced:");
    for (const [alias, what] of stale) lines.push(`  ${alias}: ${what}`);
  }
  if (maxIncrease !== undefined) {
    const over = exceeds(c, maxIncrease);
    lines.push(
      "",
      over
        ? `FAIL: the candidate costs ${pct(c.costChange)}, more than the allowed +${(maxIncrease * 100).toFixed(1)}%.`
        : `OK: cost change ${pct(c.costChange)} is within +${(maxIncrease * 100).toFixed(1)}%.`,
    );
  }
  return lines.join("\n");
}

function sum(r: Record<string, number>): number {
  return Object.values(r).reduce((x, y) => x + y, 0);
}
