import type { OriginLoadConfig } from "../../policy/types";
import { type Ewma, updateEwma } from "./ewma";
import type { LoadView, SpillDecision } from "./hysteresis";
import { nextSpillState } from "./hysteresis";
import { parseOrcaHeader } from "./orca";
import { type OriginLoad, originLoadFromMetrics } from "./prometheus";

/**
 * Per-isolate view of each origin cluster's load: the last `/metrics` scrape, the last ORCA header, this isolate's
 * in-flight calls and an EWMA of its streams' time to first token, plus the spill state (with hysteresis). Every
 * method takes the provider's `load` config (undefined: the provider is not watched, and nothing is recorded).
 *
 * Why per isolate and not a Durable Object that polls with alarms: the decision is read on every request to an
 * origin, and a Durable Object would put a round trip (often to another colo) in front of every one of them, or a
 * cached copy with the same staleness a local scrape has. A scrape is a small GET; at one per `interval_ms` per
 * isolate, a region's handful of isolates costs the cluster a few requests per second. Each isolate's passive
 * signals (in-flight, TTFT) are its own share of the load, which is exactly what it can act on without coordination.
 * The scrape never blocks a request: it starts in the background when due, and decisions use the latest sample.
 */

type Config = OriginLoadConfig | undefined;

export interface MetricsEndpoint {
  url: string;
  headers: Record<string, string>;
}

interface Observed {
  load: OriginLoad;
  at: number;
}

interface ClusterState {
  scraped?: Observed;
  orca?: Observed;
  inFlight: number;
  ttft?: Ewma;
  spilling: boolean;
  lastScrapeAt?: number;
  scraping: boolean;
  scrapes: number;
  scrapeFailures: number;
}

export interface LoadMonitorDeps {
  fetch: (req: Request) => Promise<Response>;
  now: () => number;
}

const GAUGES = ["waiting", "running", "kvCacheUsage"] as const;

export class LoadMonitor {
  private readonly clusters = new Map<string, ClusterState>();

  constructor(private readonly deps: LoadMonitorDeps) {}

  private state(providerId: string): ClusterState {
    let s = this.clusters.get(providerId);
    if (s === undefined) {
      s = { inFlight: 0, spilling: false, scraping: false, scrapes: 0, scrapeFailures: 0 };
      this.clusters.set(providerId, s);
    }
    return s;
  }

  /** The freshest value of each gauge among the scrape and the ORCA header, ignoring stale ones. */
  view(providerId: string, config: Config): LoadView {
    const s = this.state(providerId);
    const now = this.deps.now();
    const view: LoadView = { inFlight: s.inFlight };
    if (s.ttft !== undefined) view.ttftMs = s.ttft.value;
    const staleMs = config?.stale_ms ?? 0;
    const fresh = [s.scraped, s.orca]
      .filter((o): o is Observed => o !== undefined && now - o.at <= staleMs)
      .sort((a, b) => a.at - b.at);
    for (const o of fresh) for (const g of GAUGES) if (o.load[g] !== undefined) view[g] = o.load[g];
    return view;
  }

  /** Re-evaluates the spill state of a watched cluster; an unwatched provider never spills. */
  decide(providerId: string, config: Config): SpillDecision {
    if (config === undefined) return { spilling: false };
    const s = this.state(providerId);
    const decision = nextSpillState(s.spilling, this.view(providerId, config), config);
    s.spilling = decision.spilling;
    return decision;
  }

  /** Counts a call in flight to the cluster; the returned function ends it (idempotent). */
  begin(providerId: string, config: Config): () => void {
    if (config === undefined) return () => undefined;
    const s = this.state(providerId);
    s.inFlight += 1;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      s.inFlight -= 1;
    };
  }

  observeTtft(providerId: string, ms: number, config: Config): void {
    if (config === undefined || !Number.isFinite(ms) || ms < 0) return;
    const s = this.state(providerId);
    s.ttft = updateEwma(s.ttft, ms, this.deps.now(), config.ttft_half_life_ms);
  }

  /** Reads the ORCA `endpoint-load-metrics` header of an origin's response, when present. */
  observeHeaders(providerId: string, headers: Headers, config: Config): void {
    if (config === undefined) return;
    const load = parseOrcaHeader(headers.get("endpoint-load-metrics"));
    if (load !== undefined) this.state(providerId).orca = { load, at: this.deps.now() };
  }

  /**
   * Starts a scrape of the cluster's `/metrics` when one is due (at most one per interval and one at a time per
   * isolate); returns its promise (for `waitUntil`), or undefined when none was started. `endpoint` is resolved only
   * when a scrape is due.
   */
  refresh(providerId: string, config: Config, endpoint: () => MetricsEndpoint | undefined): Promise<void> | undefined {
    const metrics = config?.metrics;
    if (metrics === undefined) return undefined;
    const s = this.state(providerId);
    const now = this.deps.now();
    const last = s.lastScrapeAt;
    // A scrape whose request context was torn down may never settle: past its timeout it no longer blocks the next.
    const stuck = s.scraping && last !== undefined && now - last > metrics.timeout_ms + metrics.interval_ms;
    if ((s.scraping && !stuck) || (last !== undefined && now - last < metrics.interval_ms)) return undefined;
    const target = endpoint();
    if (target === undefined) return undefined;
    s.scraping = true;
    s.lastScrapeAt = now;
    return this.scrape(s, target, metrics.timeout_ms).finally(() => {
      s.scraping = false;
    });
  }

  private async scrape(s: ClusterState, endpoint: MetricsEndpoint, timeoutMs: number): Promise<void> {
    try {
      const request = new Request(endpoint.url, { headers: endpoint.headers, signal: AbortSignal.timeout(timeoutMs) });
      const res = await this.deps.fetch(request);
      if (!res.ok) {
        await res.body?.cancel();
        s.scrapeFailures += 1;
        return;
      }
      s.scraped = { load: originLoadFromMetrics(await res.text()), at: this.deps.now() };
      s.scrapes += 1;
    } catch {
      // An unreachable metrics endpoint leaves the last sample to go stale; passive signals still work.
      s.scrapeFailures += 1;
    }
  }

  /** Counters for tests and the admin view. */
  stats(
    providerId: string,
    config: Config,
  ): { scrapes: number; scrapeFailures: number; spilling: boolean; view: LoadView } {
    const s = this.state(providerId);
    return {
      scrapes: s.scrapes,
      scrapeFailures: s.scrapeFailures,
      spilling: s.spilling,
      view: this.view(providerId, config),
    };
  }
}
