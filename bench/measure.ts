/**
 * The measurement loop. Every target is sampled in short slices, interleaved round by round (and in a rotated order
 * each round), so a slow drift of the machine (thermal, a background job) lands on all targets alike and the ratios
 * within one run stay meaningful even when absolute numbers move.
 */
import autocannon, { type Result as AutocannonResult } from "autocannon";
import { chatBody, type Target, timedRequest } from "./http-client";
import { SETTLE_MS } from "./options";
import { cpuMicros } from "./processes";
import { SPREAD_MARKER } from "./upstream";

export const JSON_CONCURRENCIES = [1, 16, 64] as const;
export type Concurrency = (typeof JSON_CONCURRENCIES)[number];

export interface MeasureOptions {
  secondsPerSlice: number;
  rounds: number;
  warmupSeconds: number;
  /** Streamed requests per target for the chunk-spread check. */
  spreadRequests: number;
  upstreamStatsUrl: string;
  /** Skip the JSON slices (BENCH_STREAMS_ONLY=1): a quicker loop when a change only touches streams. */
  streamsOnly?: boolean;
}

export interface LoadTotals {
  completed: number;
  ok: number;
  non2xx: number;
  errors: number;
  seconds: number;
  cpuMicros: number;
  /** CPU of the target's side processes (Target.sideCpu), summed; 0 when it has none. */
  sideCpuMicros: number;
  /** Non-200 answers by status, e.g. {429: 12}: what went wrong when non2xx is not 0. */
  statuses: Record<number, number>;
  /** Requests the upstream itself answered during these slices (can exceed `ok` by the requests in flight when a slice ends; fewer means answers came from elsewhere). */
  upstreamServed: number;
  /** ms, 200 responses only. */
  latencies: number[];
}

export interface StreamTotals {
  ok: number;
  failed: number;
  ttfb: number[];
  total: number[];
  /** CPU of the process under test over these streams (settlement after the last byte included). */
  cpuMicros: number;
}

export interface TargetResults {
  json: Record<Concurrency, LoadTotals>;
  stream: StreamTotals;
  /** Streams whose upstream spreads its chunks over ~130 ms: when does the first byte arrive, when the last. */
  spread: StreamTotals;
}

export type Results = Map<Target["id"], TargetResults>;

/** The request bodies a target is sent: the same for every target but for the `model` it names. */
const jsonBody = (t: Target) => chatBody({ stream: false, model: t.model });
const streamBody = (t: Target) => chatBody({ stream: true, model: t.model });

export async function measure(
  targets: Target[],
  options: MeasureOptions,
  log: (line: string) => void,
): Promise<Results> {
  const results: Results = new Map(targets.map((t) => [t.id, emptyResults()]));
  const served = () => upstreamServed(options.upstreamStatsUrl);

  if (options.warmupSeconds > 0) {
    log(`warmup: ${options.warmupSeconds} s per target`);
    for (const target of targets) {
      if (options.streamsOnly !== true) await loadSlice(target, 16, options.warmupSeconds, served);
      await streamSlice(target, Math.min(options.warmupSeconds, 1), streamBody(target));
    }
  }

  for (let round = 0; round < options.rounds; round++) {
    const order = rotate(targets, round);
    log(`round ${round + 1}/${options.rounds}: ${order.map((t) => t.id).join(", ")}`);
    for (const connections of options.streamsOnly === true ? [] : JSON_CONCURRENCIES) {
      for (const target of order) {
        const slice = await loadSlice(target, connections, options.secondsPerSlice, served);
        addLoad(resultsOf(results, target).json[connections], slice);
      }
    }
    for (const target of order) {
      addStream(
        resultsOf(results, target).stream,
        await streamSlice(target, options.secondsPerSlice, streamBody(target)),
      );
    }
  }

  for (const target of targets) {
    const spreadBody = chatBody({ stream: true, content: `${SPREAD_MARKER} Say hello`, model: target.model });
    resultsOf(results, target).spread = await streamCount(target, options.spreadRequests, spreadBody);
  }
  return results;
}

async function loadSlice(
  target: Target,
  connections: number,
  seconds: number,
  served: () => Promise<number>,
): Promise<LoadTotals> {
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  const servedBefore = await served();
  const cpuBefore = cpuMicros(target.cpuPid);
  const sideBefore = sideCpu(target);
  const result = await new Promise<AutocannonResult>((resolve, reject) => {
    const instance = autocannon(
      {
        url: target.url,
        method: "POST",
        headers: { ...target.headers, "content-type": "application/json" },
        body: jsonBody(target),
        connections,
        duration: seconds,
        timeout: 10,
      },
      (error, res) => (error ? reject(error) : resolve(res)),
    );
    instance.on("response", (_client, status, _bytes, time) => {
      if (status === 200) latencies.push(time);
      else statuses[status] = (statuses[status] ?? 0) + 1;
    });
  });
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const cpu = cpuMicros(target.cpuPid) - cpuBefore;
  const side = sideCpu(target) - sideBefore;
  return {
    completed: result.requests.total,
    ok: result["2xx"],
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    seconds: result.duration,
    cpuMicros: cpu,
    sideCpuMicros: side,
    statuses,
    upstreamServed: (await served()) - servedBefore,
    latencies,
  };
}

/** Sequential streamed requests (concurrency 1) until `seconds` have passed. */
async function streamSlice(target: Target, seconds: number, body: string): Promise<StreamTotals> {
  const totals = emptyStream();
  const cpuBefore = cpuMicros(target.cpuPid);
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) await streamOnce(target, body, totals);
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  totals.cpuMicros = cpuMicros(target.cpuPid) - cpuBefore;
  return totals;
}

async function streamCount(target: Target, count: number, body: string): Promise<StreamTotals> {
  const totals = emptyStream();
  const cpuBefore = cpuMicros(target.cpuPid);
  for (let i = 0; i < count; i++) await streamOnce(target, body, totals);
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  totals.cpuMicros = cpuMicros(target.cpuPid) - cpuBefore;
  return totals;
}

async function streamOnce(target: Target, body: string, totals: StreamTotals): Promise<void> {
  try {
    const response = await timedRequest(target, body);
    if (response.status === 200 && response.body.includes("data: [DONE]")) {
      totals.ok++;
      totals.ttfb.push(response.ttfb);
      totals.total.push(response.total);
    } else {
      totals.failed++;
    }
  } catch {
    totals.failed++;
  }
}

function sideCpu(target: Target): number {
  return (target.sideCpu?.pids ?? []).reduce((total, pid) => total + cpuMicros(pid), 0);
}

async function upstreamServed(statsUrl: string): Promise<number> {
  const response = await fetch(statsUrl);
  const { served } = (await response.json()) as { served: number };
  return served;
}

function resultsOf(results: Results, target: Target): TargetResults {
  const found = results.get(target.id);
  if (!found) throw new Error(`no results slot for ${target.id}`);
  return found;
}

function rotate<T>(items: T[], by: number): T[] {
  const shift = by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

function emptyLoad(): LoadTotals {
  return {
    completed: 0,
    ok: 0,
    non2xx: 0,
    errors: 0,
    seconds: 0,
    cpuMicros: 0,
    sideCpuMicros: 0,
    statuses: {},
    upstreamServed: 0,
    latencies: [],
  };
}

function emptyStream(): StreamTotals {
  return { ok: 0, failed: 0, ttfb: [], total: [], cpuMicros: 0 };
}

function emptyResults(): TargetResults {
  return { json: { 1: emptyLoad(), 16: emptyLoad(), 64: emptyLoad() }, stream: emptyStream(), spread: emptyStream() };
}

function addLoad(into: LoadTotals, slice: LoadTotals): void {
  into.completed += slice.completed;
  into.ok += slice.ok;
  into.non2xx += slice.non2xx;
  into.errors += slice.errors;
  into.seconds += slice.seconds;
  into.cpuMicros += slice.cpuMicros;
  into.sideCpuMicros += slice.sideCpuMicros;
  for (const [status, count] of Object.entries(slice.statuses)) {
    into.statuses[Number(status)] = (into.statuses[Number(status)] ?? 0) + count;
  }
  into.upstreamServed += slice.upstreamServed;
  for (const latency of slice.latencies) into.latencies.push(latency);
}

function addStream(into: StreamTotals, slice: StreamTotals): void {
  into.ok += slice.ok;
  into.failed += slice.failed;
  into.cpuMicros += slice.cpuMicros;
  into.ttfb.push(...slice.ttfb);
  into.total.push(...slice.total);
}
