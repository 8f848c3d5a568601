import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { OriginLoadConfig } from "../../../src/policy/types";
import { LoadMonitor } from "../../../src/routing/load/monitor";

/** The monitor against the real local origin with its load model (test/global-setup.ts), on a hand-driven clock. */
const originUrl = String((env as unknown as Record<string, unknown>).LOAD_ORIGIN_URL);

const CONFIG: OriginLoadConfig = {
  metrics: { url: "/metrics", interval_ms: 1000, timeout_ms: 2000 },
  stale_ms: 5000,
  ttft_half_life_ms: 1000,
  spill_at: { running: 1, ttft_ms: 500 },
  resume_at: { ttft_ms: 200 },
};

function monitor(clock: { now: number }) {
  return new LoadMonitor({ fetch: (req) => fetch(req), now: () => clock.now });
}

const endpoint =
  (path = "/metrics") =>
  () => ({ url: `${originUrl}${path}`, headers: {} });

async function originScrapes(): Promise<number> {
  return ((await (await fetch(`${originUrl}/__load`)).json()) as { scrapes: number }).scrapes;
}

describe("LoadMonitor", () => {
  it("scrapes at most once per interval, one at a time, and reads the sample", async () => {
    const clock = { now: 1_000_000 };
    const m = monitor(clock);
    const before = await originScrapes();
    const first = m.refresh("origin", CONFIG, endpoint());
    expect(first).toBeDefined();
    expect(m.refresh("origin", CONFIG, endpoint())).toBeUndefined(); // one in flight
    await first;
    clock.now += 999;
    expect(m.refresh("origin", CONFIG, endpoint())).toBeUndefined(); // not due yet
    clock.now += 1;
    await m.refresh("origin", CONFIG, endpoint());
    expect(await originScrapes()).toBe(before + 2);
    expect(m.stats("origin", CONFIG)).toMatchObject({ scrapes: 2, scrapeFailures: 0 });
    expect(m.view("origin", CONFIG)).toMatchObject({ inFlight: 0, waiting: 0, running: 0, kvCacheUsage: 0 });
    clock.now += 5001;
    expect(m.view("origin", CONFIG).running).toBeUndefined(); // stale
  });

  it("a scrape that never settles stops blocking the next once past its timeout", () => {
    const clock = { now: 0 };
    const hung = new LoadMonitor({ fetch: () => new Promise<Response>(() => undefined), now: () => clock.now });
    expect(hung.refresh("origin", CONFIG, endpoint())).toBeDefined();
    clock.now += CONFIG.metrics?.interval_ms ?? 0;
    expect(hung.refresh("origin", CONFIG, endpoint())).toBeUndefined();
    clock.now += (CONFIG.metrics?.timeout_ms ?? 0) + 1;
    expect(hung.refresh("origin", CONFIG, endpoint())).toBeDefined();
    expect(hung.stats("origin", CONFIG).scrapes).toBe(0);
  });

  it("counts a failed scrape and keeps working on passive signals", async () => {
    const m = monitor({ now: 0 });
    await m.refresh("origin", CONFIG, endpoint("/no-such-metrics"));
    expect(m.stats("origin", CONFIG).scrapeFailures).toBe(1);
    const end = m.begin("origin", CONFIG);
    expect(m.view("origin", CONFIG).inFlight).toBe(1);
    end();
    end();
    expect(m.view("origin", CONFIG).inFlight).toBe(0);
  });

  it("records nothing for a provider without a load config", () => {
    const m = monitor({ now: 0 });
    expect(m.refresh("hosted", undefined, endpoint())).toBeUndefined();
    m.begin("hosted", undefined);
    expect(m.view("hosted", undefined).inFlight).toBe(0);
    expect(m.decide("hosted", undefined)).toEqual({ spilling: false });
  });

  it("spills on the TTFT average and resumes with hysteresis", () => {
    const clock = { now: 0 };
    const m = monitor(clock);
    m.observeTtft("origin", 800, CONFIG);
    expect(m.decide("origin", CONFIG)).toEqual({ spilling: true, gauge: "ttft_ms" });
    clock.now += 1000;
    m.observeTtft("origin", 100, CONFIG); // average 450: under the spill level, over the resume level
    expect(m.decide("origin", CONFIG).spilling).toBe(true);
    clock.now += 3000;
    m.observeTtft("origin", 100, CONFIG);
    expect(m.decide("origin", CONFIG).spilling).toBe(false);
  });

  it("takes the fresher of the scrape and the ORCA header, gauge by gauge", async () => {
    const clock = { now: 10_000 };
    const m = monitor(clock);
    await m.refresh("origin", CONFIG, endpoint()); // running 0 at 10 000
    clock.now += 10;
    const orca = "TEXT named_metrics.num_requests_running=3, named_metrics.kv_cache_usage=0.5";
    m.observeHeaders("origin", new Headers({ "endpoint-load-metrics": orca }), CONFIG);
    expect(m.view("origin", CONFIG)).toMatchObject({ running: 3, kvCacheUsage: 0.5, waiting: 0 });
    expect(m.decide("origin", CONFIG)).toEqual({ spilling: true, gauge: "running" });
  });
});
