import type { Target } from "./http-client";
import type { Results } from "./measure";

/**
 * What observability adds to a request: each row is a gateway variant with some of it on, compared with the same
 * bundle and ledger with it off, in the same interleaved run. `gateway-do` is the default deployment: analytics on
 * (usage events buffered per isolate, one rollup batch per tenant a second), tracing off; `gateway-do-quiet` has
 * both off (ANALYTICS_BACKEND=off); `gateway-do-otel` both on.
 */
export const OBSERVABILITY_ROWS: { id: string; baseline: string; what: string }[] = [
  { id: "gateway-do", baseline: "gateway-do-quiet", what: "analytics on (the default), tracing off" },
  { id: "gateway-do-otel", baseline: "gateway-do", what: "tracing on (every request sampled, OTLP/HTTP export)" },
  { id: "gateway-do-otel", baseline: "gateway-do-quiet", what: "analytics + tracing on, against both off" },
];

export function renderObservability(targets: Target[], results: Results): string[] {
  const lines = [
    "",
    "### Observability cost (same bundle and ledger, on vs off, this run)",
    "",
    "| what | CPU µs/req JSON off | on | added | CPU µs/stream off | on | added |",
    "|---|---|---|---|---|---|---|",
  ];
  let any = false;
  for (const row of OBSERVABILITY_ROWS) {
    const on = results.get(row.id);
    const off = results.get(row.baseline);
    if (!on || !off || !targets.some((t) => t.id === row.id) || !targets.some((t) => t.id === row.baseline)) {
      continue;
    }
    any = true;
    const json = (r: typeof on) =>
      r.json[64].completed > 0 ? r.json[64].cpuMicros / r.json[64].completed : Number.NaN;
    const stream = (r: typeof on) => (r.stream.ok > 0 ? r.stream.cpuMicros / r.stream.ok : Number.NaN);
    const [a, b, c, d] = [json(off), json(on), stream(off), stream(on)];
    const n = (x: number) => (Number.isFinite(x) ? String(Math.round(x)) : "n/a");
    const added = (x: number, y: number) =>
      Number.isFinite(x) && Number.isFinite(y)
        ? `${y - x >= 0 ? "+" : ""}${Math.round(y - x)} (${((y / x - 1) * 100).toFixed(1)}%)`
        : "n/a";
    lines.push(`| ${row.what} | ${n(a)} | ${n(b)} | ${added(a, b)} | ${n(c)} | ${n(d)} | ${added(c, d)} |`);
  }
  return any ? lines : [];
}
