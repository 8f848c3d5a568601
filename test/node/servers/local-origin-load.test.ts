import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalOrigin, startLocalOrigin } from "../../../local/origin";
import { originLoadFromMetrics, parsePrometheusText } from "../../../src/routing/load/prometheus";
import { collectSse, postJson } from "./helpers";

let origin: LocalOrigin;

beforeAll(async () => {
  // Two slots; each JSON answer takes 100 ms of prefill plus 5 ms per word, so a burst queues for certain.
  origin = await startLocalOrigin({
    chunkDelayMs: 5,
    load: { slots: 2, prefillMs: 100, tokenMs: 5, orcaHeader: true },
  });
});
afterAll(() => origin.close());

const chat = (stream = false) =>
  postJson(`${origin.url}/v1/chat/completions`, {
    model: "local-small",
    stream,
    messages: [{ role: "user", content: "hello there" }],
  });

async function metrics() {
  const res = await fetch(`${origin.url}/metrics`);
  expect(res.headers.get("content-type")).toContain("text/plain; version=0.0.4");
  return res.text();
}

async function untilLoad(check: (l: { running: number; waiting: number }) => boolean) {
  for (let i = 0; i < 200; i++) {
    const l = (await (await fetch(`${origin.url}/__load`)).json()) as { running: number; waiting: number };
    if (check(l)) return l;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error("load never reached the expected state");
}

describe("local origin: load model", () => {
  it("serves /metrics in vLLM's exposition format, idle", async () => {
    const text = await metrics();
    expect(text).toContain("# TYPE vllm:num_requests_waiting gauge");
    const names = parsePrometheusText(text).map((s) => s.name);
    expect(names).toEqual(
      expect.arrayContaining([
        "vllm:num_requests_running",
        "vllm:num_requests_waiting",
        "vllm:kv_cache_usage_perc",
        "vllm:request_success_total",
      ]),
    );
    expect(originLoadFromMetrics(text)).toEqual({ running: 0, waiting: 0, kvCacheUsage: 0 });
  });

  it("runs two requests at once and queues the rest, then drains", async () => {
    const burst = Array.from({ length: 5 }, (_, i) => chat(i % 2 === 1));
    const busy = await untilLoad((l) => l.running === 2 && l.waiting === 3);
    expect(busy).toMatchObject({ running: 2, waiting: 3 });
    const load = originLoadFromMetrics(await metrics());
    expect(load.running).toBe(2);
    expect(load.waiting).toBe(3);
    expect(load.kvCacheUsage).toBeGreaterThan(0);
    const answers = await Promise.all(burst);
    for (const res of answers) {
      expect(res.status).toBe(200);
      expect(res.headers.get("endpoint-load-metrics")).toMatch(/^TEXT named_metrics\.num_requests_running=\d+/);
      if (res.headers.get("content-type")?.startsWith("text/event-stream"))
        expect((await collectSse(res)).error).toBeUndefined();
      else expect(((await res.json()) as { object: string }).object).toBe("chat.completion");
    }
    await untilLoad((l) => l.running === 0 && l.waiting === 0);
  });

  it("frees the slot of a client that hangs up mid-stream", async () => {
    const controller = new AbortController();
    const res = await fetch(`${origin.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "local-large", stream: true, messages: [{ role: "user", content: "x" }] }),
      signal: controller.signal,
    });
    await untilLoad((l) => l.running === 1);
    controller.abort();
    await res.body?.cancel().catch(() => undefined);
    await untilLoad((l) => l.running === 0);
  });
});
