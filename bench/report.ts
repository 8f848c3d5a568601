/**
 * Turns the raw samples into the markdown report: a summary table relative to the direct call, each gateway's cost
 * over the bare passthrough (differences and the ratios the project targets), the streaming check, health, and the
 * absolute numbers behind it all.
 */
import type { Target } from "./http-client";
import { type Concurrency, JSON_CONCURRENCIES, type LoadTotals, type Results, type StreamTotals } from "./measure";

/** The project's target: the gateway adds at most this much over the bare passthrough, in latency and CPU. */
export const TARGET_RATIO = 1.5;
/** Below this (ms) the passthrough's added latency is noise, and a ratio over it means nothing. */
const NOISE_MS = 0.02;

export interface ReportInput {
  targets: Target[];
  results: Results;
  /** Targets that could not be measured, with the reason (e.g. "not ready: 402 ..."). */
  unavailable: { label: string; reason: string }[];
  header: string[];
  /** Extra facts per target id for the health section (e.g. a gateway's ledger after the run). */
  notes?: Map<string, string>;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const lowValue = sorted[low] ?? Number.NaN;
  const highValue = sorted[high] ?? lowValue;
  return lowValue + (highValue - lowValue) * (rank - low);
}

interface Row {
  p50: number;
  p99: number;
  rps16: number;
  rps64: number;
  cpu64: number;
  /** CPU per request of the target's side processes (its ledger store), c=64; NaN when it has none. */
  side64: number;
  ttfb: number;
}

function rowOf(results: Results, target: Target | undefined): Row | undefined {
  const r = target && results.get(target.id);
  if (!r) return undefined;
  return {
    p50: percentile(r.json[1].latencies, 50),
    p99: percentile(r.json[1].latencies, 99),
    rps16: rps(r.json[16]),
    rps64: rps(r.json[64]),
    cpu64: cpuPerRequest(r.json[64]),
    side64: target.sideCpu ? sideCpuPerRequest(r.json[64]) : Number.NaN,
    ttfb: percentile(r.stream.ttfb, 50),
  };
}

const rps = (t: LoadTotals) => (t.seconds > 0 ? t.ok / t.seconds : Number.NaN);
const cpuPerRequest = (t: LoadTotals) => (t.completed > 0 ? t.cpuMicros / t.completed : Number.NaN);
const sideCpuPerRequest = (t: LoadTotals) => (t.completed > 0 ? t.sideCpuMicros / t.completed : Number.NaN);
const byRole = (input: ReportInput, role: Target["role"]) => input.targets.filter((t) => t.role === role);

export function renderReport(input: ReportInput): string {
  const { results } = input;
  const direct = rowOf(results, byRole(input, "direct")[0]);
  const lines = [...input.header, ""];
  lines.push(
    "| target | +p50 c=1 (ms) | +p99 c=1 (ms) | req/s c=16 | req/s c=64 | CPU µs/req c=64 | stream +TTFB c=1 (ms) |",
    "|---|---|---|---|---|---|---|",
  );
  for (const target of input.targets) {
    const row = rowOf(results, target);
    if (!row || !direct) continue;
    const rel = (value: number, floor: number) =>
      target.role === "direct" ? `${ms(value)} abs` : `${value - floor >= 0 ? "+" : ""}${ms(value - floor)}`;
    const cpuNote = target.role === "direct" ? " (upstream)" : "";
    lines.push(
      `| ${target.label} | ${rel(row.p50, direct.p50)} | ${rel(row.p99, direct.p99)} | ${int(row.rps16)} | ` +
        `${int(row.rps64)} | ${int(row.cpu64)}${cpuNote} | ${rel(row.ttfb, direct.ttfb)} |`,
    );
  }
  for (const { label, reason } of input.unavailable) {
    lines.push(`| ${label} | ${oneLine(reason)} | | | | | |`);
  }
  lines.push("", ...costLines(input, direct), "", ...streamingLines(input), "", ...healthLines(input));
  lines.push("", "### Absolute numbers", "", ...detailTable(input));
  return `${lines.join("\n")}\n`;
}

/**
 * Each gateway against the bare passthrough: what it adds (latency at c=1, CPU per request under load) and the
 * ratios the project targets (added latency and CPU within TARGET_RATIO of the passthrough's).
 */
function costLines(input: ReportInput, direct: Row | undefined): string[] {
  const passthrough = rowOf(input.results, byRole(input, "passthrough")[0]);
  const gateways = byRole(input, "gateway")
    .map((target) => ({ target, row: rowOf(input.results, target) }))
    .filter((g): g is { target: Target; row: Row } => g.row !== undefined);
  if (!passthrough || !direct || gateways.length === 0)
    return ["**Gateway cost over the passthrough:** n/a (no gateway measured)"];
  const lines = [
    "**Gateway cost over the bare passthrough** (same run; ratios compare what each adds over direct):",
    "",
    "| gateway | +p50 c=1 (ms) | +CPU µs/req c=64 | added p50 ratio | CPU/req ratio | added stream TTFB ratio | req/s c=64 ratio | ledger store CPU µs/req c=64 | target ≤ " +
      `${TARGET_RATIO}× |`,
    "|---|---|---|---|---|---|---|---|---|",
  ];
  const reading = rowOf(input.results, byRole(input, "reading")[0]);
  const added = (row: Row, key: "p50" | "ttfb") => row[key] - direct[key];
  const ratio = (a: number, b: number) => (b > NOISE_MS ? a / b : Number.NaN);
  for (const { target, row } of gateways) {
    const latency = ratio(added(row, "p50"), added(passthrough, "p50"));
    const cpu = row.cpu64 / passthrough.cpu64;
    const ttfb = ratio(added(row, "ttfb"), added(passthrough, "ttfb"));
    const verdict = Number.isNaN(latency)
      ? "undecided (passthrough adds ~0 ms)"
      : latency <= TARGET_RATIO && cpu <= TARGET_RATIO
        ? "met"
        : "NOT met";
    const store = target.sideCpu
      ? `${int(row.side64)} (${target.sideCpu.label}, not in the CPU column)`
      : "in the CPU column (same process)";
    lines.push(
      `| ${target.label} | ${signed(row.p50 - passthrough.p50)} | ${signedInt(row.cpu64 - passthrough.cpu64)} | ` +
        `${x(latency)} | ${x(cpu)} | ${x(ttfb)} | ${x(row.rps64 / passthrough.rps64)} | ${store} | ${verdict} |`,
    );
  }
  if (reading) {
    lines.push(
      "",
      "**Against the passthrough that reads the answer in JS** (the least any Worker pays that must see every " +
        "token; the bare passthrough hands the upstream body to the runtime untouched):",
      "",
      "| gateway | added p50 ratio | CPU/req ratio | added stream TTFB ratio |",
      "|---|---|---|---|",
    );
    for (const { target, row } of gateways) {
      lines.push(
        `| ${target.label} | ${x(ratio(added(row, "p50"), added(reading, "p50")))} | ${x(row.cpu64 / reading.cpu64)} | ` +
          `${x(ratio(added(row, "ttfb"), added(reading, "ttfb")))} |`,
      );
    }
  }
  return lines;
}

/** Streams from an upstream that spreads its chunks: a forwarding Worker's first byte comes long before its last. */
function streamingLines(input: ReportInput): string[] {
  const lines = [
    "**Streaming** (upstream spreads 64 chunks over ~130 ms, as a model paced by generation would; median first / " +
      "last byte; CPU per stream of the process under test, for these paced streams and for the c=1 streams whose " +
      "upstream sends its 66 events at once):",
  ];
  const directTarget = byRole(input, "direct")[0];
  const direct = directTarget && input.results.get(directTarget.id)?.spread;
  for (const target of input.targets) {
    const spread = input.results.get(target.id)?.spread;
    if (!spread || spread.ok === 0) {
      lines.push(`- ${target.label}: no successful streams`);
      continue;
    }
    const first = percentile(spread.ttfb, 50);
    const last = percentile(spread.total, 50);
    let verdict = "";
    if (target.role !== "direct" && direct && direct.ok > 0) {
      const directSpan = percentile(direct.total, 50) - percentile(direct.ttfb, 50);
      const forwarded = first < 0.5 * last && last - first >= 0.5 * directSpan;
      verdict = forwarded ? " — chunks forwarded as they arrive" : " — BUFFERED: the first byte waits for the stream";
    }
    const stream = input.results.get(target.id)?.stream;
    const cpu = ` — CPU ${int(streamCpu(spread))} µs/stream paced, ${int(stream ? streamCpu(stream) : Number.NaN)} µs/stream at once`;
    lines.push(
      `- ${target.label}: first ${ms(first)} ms, last ${ms(last)} ms${verdict}${target.role === "direct" ? "" : cpu}`,
    );
  }
  return lines;
}

function healthLines(input: ReportInput): string[] {
  const lines = ["**Health:**"];
  for (const target of input.targets) {
    const r = input.results.get(target.id);
    if (!r) continue;
    const loads = JSON_CONCURRENCIES.map((c) => r.json[c]);
    const bad = sum(loads.map((l) => l.non2xx)) + sum(loads.map((l) => l.errors));
    const ok = sum(loads.map((l) => l.ok));
    const upstream = sum(loads.map((l) => l.upstreamServed));
    const failedStreams = r.stream.failed + r.spread.failed;
    // Requests in flight when a slice ends reach the upstream but are not counted as answers: cap at 100%.
    const share = ok > 0 ? `${Math.min(100, (100 * upstream) / ok).toFixed(1)}%` : "n/a";
    const elsewhere = upstream < 0.99 * ok ? " — some answers did not come from the upstream (a cache?)" : "";
    const statuses = new Map<number, number>();
    for (const load of loads) {
      for (const [status, count] of Object.entries(load.statuses)) {
        statuses.set(Number(status), (statuses.get(Number(status)) ?? 0) + count);
      }
    }
    const extra = input.notes?.get(target.id);
    const note = extra === undefined ? "" : `; ${extra}`;
    const byStatus =
      statuses.size > 0 ? ` (${[...statuses].map(([status, count]) => `${status} ×${int(count)}`).join(", ")})` : "";
    lines.push(
      `- ${target.label}: ${int(ok)} JSON answers, ${int(bad)} non-2xx/errors${byStatus}, ${failedStreams} failed ` +
        `streams; the upstream answered ${share} of them${elsewhere}${note}`,
    );
  }
  return lines;
}

function detailTable(input: ReportInput): string[] {
  const lines = [
    "| target | load | answers | req/s | p50 (ms) | p99 (ms) | CPU µs/req | ledger store CPU µs/req |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const target of input.targets) {
    const r = input.results.get(target.id);
    if (!r) continue;
    for (const c of JSON_CONCURRENCIES) {
      lines.push(loadDetail(target, `JSON c=${c}`, r.json[c as Concurrency]));
    }
    lines.push(streamDetail(target.label, "SSE c=1 (TTFB)", r.stream, "ttfb"));
    lines.push(streamDetail(target.label, "SSE c=1 (last byte)", r.stream, "total"));
  }
  return lines;
}

function loadDetail(target: Target, load: string, t: LoadTotals): string {
  const p50 = percentile(t.latencies, 50);
  const p99 = percentile(t.latencies, 99);
  const side = target.sideCpu ? int(sideCpuPerRequest(t)) : "";
  return (
    `| ${target.label} | ${load} | ${int(t.ok)} | ${int(rps(t))} | ${ms(p50)} | ${ms(p99)} | ` +
    `${int(cpuPerRequest(t))} | ${side} |`
  );
}

function streamDetail(label: string, load: string, s: StreamTotals, key: "ttfb" | "total"): string {
  return `| ${label} | ${load} | ${int(s.ok)} | | ${ms(percentile(s[key], 50))} | ${ms(percentile(s[key], 99))} | | |`;
}

/** CPU per stream, failed ones included (they ran too). */
const streamCpu = (s: StreamTotals) => (s.ok + s.failed > 0 ? s.cpuMicros / (s.ok + s.failed) : Number.NaN);
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : "n/a");
const int = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString("en-US") : "n/a");
const signed = (value: number) => (Number.isFinite(value) ? `${value >= 0 ? "+" : ""}${value.toFixed(2)}` : "n/a");
const signedInt = (value: number) => (Number.isFinite(value) ? `${value >= 0 ? "+" : ""}${int(value)}` : "n/a");
const x = (value: number) => (Number.isFinite(value) ? `×${value.toFixed(2)}` : "n/a");
const oneLine = (text: string) => text.replace(/\s+/g, " ").replace(/\|/g, "\\|").slice(0, 300);
