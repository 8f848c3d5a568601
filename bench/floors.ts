/**
 * Where issue 16's speed targets sit, in this run: each row against the bare passthrough (and for streams against
 * direct and the passthrough that reads the answer in JS), the runtime floors included. The floors are the bare
 * passthrough plus one and plus two no-op Durable Object calls per request (what any per-request Durable Object ledger
 * pays at least) and the gateway with its ledger store replaced by a no-op (what the gateway costs without its books).
 * A target a floor already misses is out of reach for anything that calls a Durable Object per request.
 */
import type { Target } from "./http-client";
import type { Results, StreamTotals } from "./measure";
import { percentile } from "./report";

/** The targets, all against the same run's bare passthrough (streams: direct and the reading passthrough). */
export const SPEED_TARGETS = { cpu: 2.0, rps: 0.5, addedP50: 2.5, ttfbMs: 0.6, streamCpu: 1.3 } as const;

interface Figures {
  p50: number;
  rps64: number;
  cpu64: number;
  ttfb: number;
  streamCpu: number;
}

function figures(results: Results, id: string | undefined): Figures | undefined {
  const r = id === undefined ? undefined : results.get(id);
  if (!r) return undefined;
  const c64 = r.json[64];
  return {
    p50: percentile(r.json[1].latencies, 50),
    rps64: c64.seconds > 0 ? c64.ok / c64.seconds : Number.NaN,
    cpu64: c64.completed > 0 ? c64.cpuMicros / c64.completed : Number.NaN,
    ttfb: percentile(r.stream.ttfb, 50),
    streamCpu: perStream(r.stream),
  };
}

const perStream = (s: StreamTotals) => (s.ok + s.failed > 0 ? s.cpuMicros / (s.ok + s.failed) : Number.NaN);

export function renderFloors(targets: Target[], results: Results): string[] {
  const id = (role: Target["role"]) => targets.find((t) => t.role === role)?.id;
  const direct = figures(results, id("direct"));
  const bare = figures(results, id("passthrough"));
  const reading = figures(results, id("reading"));
  const rows = targets.filter((t) => t.role === "floor" || t.role === "gateway");
  if (!direct || !bare || !rows.some((t) => t.role === "floor" || t.id === "gateway-noop")) return [];
  const t = SPEED_TARGETS;
  const lines = [
    "",
    "### Where the speed targets sit (issue 16; same run, against the bare passthrough)",
    "",
    `| target | CPU/req c=64 ratio (≤ ${t.cpu}) | req/s c=64 ratio (≥ ${t.rps}) | added p50 c=1 ratio (≤ ${t.addedP50}) | ` +
      `stream +TTFB c=1 ms (≤ +${t.ttfbMs}) | CPU/stream ratio to the reading passthrough (≤ ${t.streamCpu}) |`,
    "|---|---|---|---|---|---|",
  ];
  const addedBare = bare.p50 - direct.p50;
  for (const target of rows) {
    const f = figures(results, target.id);
    if (!f) continue;
    lines.push(
      `| ${target.label} | ${judge(f.cpu64 / bare.cpu64, t.cpu, "max")} | ${judge(f.rps64 / bare.rps64, t.rps, "min")} | ` +
        `${addedBare > 0.02 ? judge((f.p50 - direct.p50) / addedBare, t.addedP50, "max") : "n/a"} | ` +
        `${judge(f.ttfb - direct.ttfb, t.ttfbMs, "max", "+", " ms")} | ` +
        `${reading ? judge(f.streamCpu / reading.streamCpu, t.streamCpu, "max") : "n/a"} |`,
    );
  }
  lines.push(
    "",
    "A ratio a no-op floor already misses cannot be met by a ledger that makes that many Durable Object calls per " +
      "request, however little work the object does; the gap between a floor and the gateway is the ledger's and the " +
      "gateway's own work.",
  );
  return lines;
}

function judge(value: number, bound: number, kind: "max" | "min", prefix = "×", suffix = ""): string {
  if (!Number.isFinite(value)) return "n/a";
  const ok = kind === "max" ? value <= bound : value >= bound;
  const shown = prefix === "×" ? `×${value.toFixed(2)}` : `${value >= 0 ? "+" : ""}${value.toFixed(2)}${suffix}`;
  return ok ? shown : `**${shown}** (missed)`;
}
