/**
 * A GPU cluster's load, modelled the way vLLM schedules: a fixed number of concurrent slots (the engine's batch),
 * a FIFO queue of requests waiting for a slot, and a KV cache filled by the tokens of running requests. It also
 * serves `/metrics` in vLLM's Prometheus exposition format and, optionally, the ORCA `endpoint-load-metrics`
 * header, so the gateway's spillover can be watched working against `npm start`.
 */

export interface LoadModelOptions {
  /** Requests served at once; more wait in the queue. */
  slots: number;
  /** Time before the first token (prefill), per request. */
  prefillMs: number;
  /** Time per generated token (word), for JSON answers; streams pace their chunks with the origin's chunk delay. */
  tokenMs: number;
  /** Tokens the KV cache holds; running requests' prompt + output tokens fill it. */
  kvCapacityTokens: number;
  /** Add `endpoint-load-metrics` (ORCA, TEXT encoding) to chat responses. */
  orcaHeader: boolean;
}

export const DEFAULT_LOAD: LoadModelOptions = {
  slots: 4,
  prefillMs: 40,
  tokenMs: 15,
  kvCapacityTokens: 16_384,
  orcaHeader: false,
};

interface Waiter {
  tokens: number;
  start: () => void;
}

/** A held slot: `release` frees it (idempotent) and lets the next waiting request in. */
export interface Slot {
  release: () => void;
}

export class LoadModel {
  private running = 0;
  private kvTokens = 0;
  private readonly queue: Waiter[] = [];
  private served = 0;
  private scrapes = 0;

  constructor(readonly opts: LoadModelOptions) {}

  /** Waits for a slot; `tokens` (prompt + expected output) is what the request keeps in the KV cache while it runs. */
  acquire(tokens: number): Promise<Slot> {
    return new Promise((resolve) => {
      const start = () => {
        this.running += 1;
        this.kvTokens += tokens;
        let released = false;
        resolve({
          release: () => {
            if (released) return;
            released = true;
            this.running -= 1;
            this.kvTokens -= tokens;
            this.served += 1;
            this.queue.shift()?.start();
          },
        });
      };
      if (this.running < this.opts.slots) start();
      else this.queue.push({ tokens, start });
    });
  }

  snapshot(): { running: number; waiting: number; kvCacheUsage: number; served: number; scrapes: number } {
    return {
      running: this.running,
      waiting: this.queue.length,
      kvCacheUsage: Math.min(1, this.kvTokens / this.opts.kvCapacityTokens),
      served: this.served,
      scrapes: this.scrapes,
    };
  }

  /** vLLM's gauge names and types (v1 engine), labelled by model as vLLM does; plus our scrape counter. */
  metricsText(model: string): string {
    this.scrapes += 1;
    const s = this.snapshot();
    const label = `{engine="0",model_name="${model}"}`;
    return [
      "# HELP vllm:num_requests_running Number of requests in model execution batches.",
      "# TYPE vllm:num_requests_running gauge",
      `vllm:num_requests_running${label} ${s.running.toFixed(1)}`,
      "# HELP vllm:num_requests_waiting Number of requests waiting to be processed.",
      "# TYPE vllm:num_requests_waiting gauge",
      `vllm:num_requests_waiting${label} ${s.waiting.toFixed(1)}`,
      "# HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.",
      "# TYPE vllm:kv_cache_usage_perc gauge",
      `vllm:kv_cache_usage_perc${label} ${s.kvCacheUsage}`,
      "# HELP vllm:request_success_total Count of successfully processed requests.",
      "# TYPE vllm:request_success_total counter",
      `vllm:request_success_total${label} ${s.served.toFixed(1)}`,
      "# HELP local_origin_metrics_scrapes_total Scrapes of this endpoint (the local origin's own counter).",
      "# TYPE local_origin_metrics_scrapes_total counter",
      `local_origin_metrics_scrapes_total ${s.scrapes}`,
      "",
    ].join("\n");
  }

  /** ORCA's TEXT encoding with the named metrics a model server reports. */
  orcaHeader(): Record<string, string> {
    if (!this.opts.orcaHeader) return {};
    const s = this.snapshot();
    return {
      "endpoint-load-metrics":
        `TEXT named_metrics.num_requests_running=${s.running}, named_metrics.num_requests_waiting=${s.waiting}, ` +
        `named_metrics.kv_cache_usage=${s.kvCacheUsage.toFixed(4)}`,
    };
  }
}
