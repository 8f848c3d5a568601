import { credits, fields, table } from "./format";

type Row = Record<string, unknown>;
type Metrics = Record<string, number | null | Record<string, number>>;

const pct = (v: unknown) => (typeof v === "number" ? `${(v * 100).toFixed(1)}%` : "-");
const ms = (v: unknown) => (typeof v === "number" ? `${v} ms` : "-");
const fixed = (v: unknown, digits = 2) => (typeof v === "number" ? v.toFixed(digits) : "-");
/** A mean in micro-credits (possibly fractional), shown as credits. */
const meanCredits = (v: unknown) => (typeof v === "number" ? credits(Math.round(v)) : "-");

/** `report`: cost by feature and model, then the operator's five rates and the task economics. */
export function reportText(report: Row): string {
  const totals = (report.totals ?? {}) as Metrics;
  const tasks = (report.tasks ?? {}) as Row;
  const groups = (Array.isArray(report.groups) ? report.groups : []) as (Metrics & { group: Row })[];
  const total = typeof totals.cost === "number" ? totals.cost : 0;
  const from = new Date(Number(report.from)).toISOString();
  const to = new Date(Number(report.to)).toISOString();
  const byCost = table(groups as unknown as Row[], [
    ["feature", (g) => ((g.group as Row).feature === "" ? "(none)" : (g.group as Row).feature)],
    ["model", (g) => ((g.group as Row).model === "" ? "(none)" : (g.group as Row).model)],
    ["requests", (g) => g.requests],
    ["errors", (g) => g.errors],
    ["cost", (g) => credits(g.cost)],
    ["share", (g) => (total > 0 ? pct(Number(g.cost) / total) : "-")],
    ["p95", (g) => ms(g.p95_ms)],
  ]);
  const rates = fields([
    ["calls per task", fixed(tasks.calls_per_task)],
    ["fallback rate", pct(totals.fallback_rate)],
    ["cache hit rate", `${pct(totals.cache_hit_rate)} (shadow ${pct(totals.shadow_hit_rate)})`],
    ["retry rate", pct(totals.retry_rate)],
    ["p95 latency", `${ms(totals.p95_ms)} (p50 ${ms(totals.p50_ms)}, p99 ${ms(totals.p99_ms)})`],
  ]);
  const economics = fields([
    [
      "tasks",
      `${tasks.tasks ?? 0} (${tasks.successful ?? 0} successful, ${tasks.stopped_by_budget ?? 0} stopped by budgets)`,
    ],
    ["cost per task", meanCredits(tasks.cost_per_task)],
    ["cost per successful task", meanCredits(tasks.cost_per_successful_task)],
    ["premium share", pct(totals.premium_share)],
    ["refusals", `${totals.refusals ?? 0} (402: ${totals.refused_402 ?? 0}, 429: ${totals.refused_429 ?? 0})`],
  ]);
  return [
    `${String(report.tenant)}: ${from} .. ${to} (${String(report.interval)} buckets)`,
    `${totals.requests ?? 0} requests, ${totals.errors ?? 0} errors, ${credits(total)} credits`,
    "",
    "COST BY FEATURE AND MODEL",
    byCost,
    "",
    "THE FIVE RATES",
    rates,
    "",
    "TASK ECONOMICS",
    economics,
  ].join("\n");
}
