import type { OriginLoad } from "./prometheus";

/**
 * The `endpoint-load-metrics` response header (ORCA, as Envoy and the Gateway API Inference Extension read it), in
 * its TEXT and JSON encodings: `TEXT cpu_utilization=0.3, named_metrics.kv_cache_usage=0.8` or
 * `JSON {"named_metrics": {...}}`. The binary (protobuf) encoding is not read. The named metrics a model server
 * reports are mapped onto the same three gauges as `/metrics`.
 */

const NAMED: Record<string, keyof OriginLoad> = {
  num_requests_waiting: "waiting",
  queue_size: "waiting",
  num_requests_running: "running",
  kv_cache_usage: "kvCacheUsage",
  kv_cache_usage_perc: "kvCacheUsage",
  gpu_cache_usage_perc: "kvCacheUsage",
};

function assign(load: OriginLoad, name: string, value: unknown): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) return;
  const key = NAMED[name];
  if (key !== undefined) load[key] = value;
}

function fromJson(text: string): OriginLoad | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof doc !== "object" || doc === null) return undefined;
  const load: OriginLoad = {};
  const named = (doc as { named_metrics?: unknown }).named_metrics;
  if (typeof named === "object" && named !== null) {
    for (const [name, value] of Object.entries(named)) assign(load, name, value);
  }
  return load;
}

function fromText(text: string): OriginLoad {
  const load: OriginLoad = {};
  for (const pair of text.split(",")) {
    const eq = pair.indexOf("=");
    if (eq === -1) continue;
    const key = pair.slice(0, eq).trim();
    const value = Number(pair.slice(eq + 1).trim());
    if (key.startsWith("named_metrics.")) assign(load, key.slice("named_metrics.".length), value);
  }
  return load;
}

/** Undefined when the header is absent, binary, or carries none of the gauges we read. */
export function parseOrcaHeader(header: string | null): OriginLoad | undefined {
  if (header === null) return undefined;
  const trimmed = header.trim();
  let load: OriginLoad | undefined;
  if (trimmed.startsWith("TEXT ")) load = fromText(trimmed.slice(5));
  else if (trimmed.startsWith("JSON ")) load = fromJson(trimmed.slice(5));
  if (load === undefined || Object.keys(load).length === 0) return undefined;
  return load;
}
