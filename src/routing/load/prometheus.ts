/**
 * The Prometheus text exposition format (version 0.0.4), as vLLM, TGI and SGLang serve it on `/metrics`: reduced to
 * the few gauges that say whether an origin cluster is about to queue requests. Pure and forgiving: a line that does
 * not parse is skipped (an exporter may add metric families we do not know), never fatal.
 */

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+-?\d+)?\s*$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/y;

function unescapeLabel(value: string): string {
  return value.replace(/\\(.)/g, (_m, c: string) => (c === "n" ? "\n" : c));
}

function parseLabels(text: string): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const start = LABEL.lastIndex;
    const m = LABEL.exec(text);
    if (m === null) return text.slice(start).trim() === "" ? labels : undefined;
    labels[m[1] as string] = unescapeLabel(m[2] as string);
  }
  return labels;
}

function parseValue(text: string): number | undefined {
  if (text === "+Inf") return Number.POSITIVE_INFINITY;
  if (text === "-Inf") return Number.NEGATIVE_INFINITY;
  if (text === "NaN") return Number.NaN;
  const n = Number(text);
  return text !== "" && Number.isFinite(n) ? n : undefined;
}

export function parsePrometheusText(text: string): PromSample[] {
  const out: PromSample[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = SAMPLE.exec(line);
    if (m === null) continue;
    const labels = m[3] === undefined ? {} : parseLabels(m[3]);
    const value = parseValue(m[4] as string);
    if (labels === undefined || value === undefined) continue;
    out.push({ name: m[1] as string, labels, value });
  }
  return out;
}

/** The load an origin reports: requests waiting for a slot, requests running, and the KV cache's fill (0..1). */
export interface OriginLoad {
  waiting?: number;
  running?: number;
  kvCacheUsage?: number;
}

/**
 * Metric names per server. vLLM v1 renamed `gpu_cache_usage_perc` to `kv_cache_usage_perc`; both are read. TGI
 * reports its queue and current batch; SGLang its queue, running requests and token usage (the KV pool's fill).
 */
const NAMES: Record<keyof OriginLoad, readonly string[]> = {
  waiting: ["vllm:num_requests_waiting", "tgi_queue_size", "sglang:num_queue_reqs"],
  running: ["vllm:num_requests_running", "tgi_batch_current_size", "sglang:num_running_reqs"],
  kvCacheUsage: ["vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc", "sglang:token_usage"],
};

/**
 * Sums each gauge over its label sets (one vLLM process per model or data-parallel rank exports one series each) and
 * keeps the highest KV-cache fill (the fullest engine is the one that will queue first). Absent gauges stay absent.
 */
export function originLoadFromSamples(samples: readonly PromSample[]): OriginLoad {
  const load: OriginLoad = {};
  for (const s of samples) {
    if (!Number.isFinite(s.value)) continue;
    if (NAMES.waiting.includes(s.name)) load.waiting = (load.waiting ?? 0) + s.value;
    else if (NAMES.running.includes(s.name)) load.running = (load.running ?? 0) + s.value;
    else if (NAMES.kvCacheUsage.includes(s.name)) load.kvCacheUsage = Math.max(load.kvCacheUsage ?? 0, s.value);
  }
  return load;
}

export function originLoadFromMetrics(text: string): OriginLoad {
  return originLoadFromSamples(parsePrometheusText(text));
}
