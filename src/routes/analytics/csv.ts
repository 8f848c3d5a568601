import type { GroupRow } from "../../analytics/aggregate";
import type { Report } from "../../analytics/report";

const METRICS = [
  "requests",
  "successes",
  "errors",
  "input_tokens",
  "output_tokens",
  "cached_tokens",
  "cost",
  "cache_hits",
  "cache_shadow_hits",
  "cache_hit_rate",
  "shadow_hit_rate",
  "fallbacks",
  "fallback_rate",
  "retried",
  "retry_rate",
  "extra_attempts",
  "escalations",
  "spillovers",
  "routed_by_router",
  "tiered",
  "premium",
  "premium_share",
  "tool_calls",
  "refusals",
  "refused_402",
  "refused_429",
  "budget_stops",
  "p50_ms",
  "p95_ms",
  "p99_ms",
] as const;

/** RFC 4180 field; a leading =, +, - or @ is prefixed with ' so a spreadsheet never runs it as a formula. */
function field(value: unknown): string {
  if (value === null || value === undefined) return "";
  let s = String(value);
  if (/^[=+\-@]/.test(s) && typeof value === "string") s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** The report's time series as CSV: one row per (bucket, group), cost in micro-credits. */
export function reportCsv(report: Report): string {
  const header = ["bucket_start", ...report.group_by, ...METRICS, "errors_by_code"];
  const lines = [header.join(",")];
  const row = (r: GroupRow) => [
    new Date(r.start ?? report.from).toISOString(),
    ...report.group_by.map((d) => r.group[d] ?? ""),
    ...METRICS.map((m) => r[m]),
    Object.entries(r.errors_by_code)
      .map(([code, n]) => `${code}=${n}`)
      .join(";"),
  ];
  for (const r of report.series) lines.push(row(r).map(field).join(","));
  return `${lines.join("\r\n")}\r\n`;
}
