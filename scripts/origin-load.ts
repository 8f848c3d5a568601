/**
 * Shows load-aware spillover against `npm start`: sends waves of concurrent requests for `small` through the gateway
 * and prints, per wave, which provider answered (the local origin, or the hosted stand-in it spilled to) next to
 * what the origin's vLLM-format `/metrics` said.
 *
 *   npm start                          # in one terminal
 *   npx tsx scripts/origin-load.ts     # in another; CONCURRENCY (default 12), WAVES (6), GATEWAY_URL, ORIGIN_URL
 *
 * The local origin has 4 slots: from the fifth concurrent request on it queues, its `/metrics` reports
 * `vllm:num_requests_waiting > 0`, and the gateway (scraping at most once a second per isolate) sends requests to
 * `small-hosted` until the queue drains; the `x-gateway-spillover: 1` header marks those answers.
 */
import { originLoadFromMetrics } from "../src/routing/load/prometheus";

const gateway = process.env.GATEWAY_URL ?? "http://127.0.0.1:8787";
const origin = process.env.ORIGIN_URL ?? "http://127.0.0.1:8788";
const key = process.env.GATEWAY_DEV_KEY ?? "sk-gw-local-dev";
const concurrency = Number(process.env.CONCURRENCY ?? 12);
const waves = Number(process.env.WAVES ?? 6);
// Requests of a wave start this far apart: a burst whose requests all plan before any has reached the origin sees
// an idle cluster (the in-flight count rises only when a call starts, and a scrape is at most once a second).
const staggerMs = Number(process.env.STAGGER_MS ?? 50);

async function one(i: number): Promise<{ provider: string; spilled: boolean; ms: number; status: number }> {
  const started = Date.now();
  const res = await fetch(`${gateway}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "small", stream: true, messages: [{ role: "user", content: `load test ${i}` }] }),
  });
  await res.text();
  return {
    provider: res.headers.get("x-gateway-provider") ?? "-",
    spilled: res.headers.get("x-gateway-spillover") === "1",
    ms: Date.now() - started,
    status: res.status,
  };
}

async function originLoad(): Promise<string> {
  try {
    const l = originLoadFromMetrics(await (await fetch(`${origin}/metrics`)).text());
    return `running ${l.running ?? "?"}, waiting ${l.waiting ?? "?"}, kv ${((l.kvCacheUsage ?? 0) * 100).toFixed(0)}%`;
  } catch {
    return "metrics unreachable";
  }
}

for (let w = 1; w <= waves; w++) {
  const pending: Promise<Awaited<ReturnType<typeof one>>>[] = [];
  for (let i = 0; i < concurrency; i++) {
    pending.push(one(w * 1000 + i));
    await new Promise((r) => setTimeout(r, staggerMs));
  }
  await new Promise((r) => setTimeout(r, 300));
  const during = await originLoad();
  const results = await Promise.all(pending);
  const count = (p: string) => results.filter((r) => r.provider === p).length;
  const p50 = results.map((r) => r.ms).sort((a, b) => a - b)[Math.floor(results.length / 2)];
  const failed = results.filter((r) => r.status !== 200).length;
  console.log(
    `wave ${w}: origin ${count("local-origin")}, spilled to hosted ${results.filter((r) => r.spilled).length}` +
      `${failed > 0 ? `, failed ${failed}` : ""}, p50 ${p50} ms | origin during the wave: ${during}`,
  );
}
