/**
 * Interactive latency while a batch runs: the same sequential chat requests (c=1) against the gateway before a
 * batch, while a batch of BATCH_ITEMS items runs on the queue, and after it, in one run. Prints p50/p95/p99 and the
 * ratios against the bracketing baselines. `npx tsx bench/batch.ts` (env: BATCH_ITEMS, SAMPLES).
 *
 * The gateway is the production Worker with the bench policy (bench/policies: `small` on the bench upstream, batch
 * defaults: 4 items of a tenant at once), served by Miniflare (one workerd process, as `npm start`) because plain
 * workerd has no Queue broker; its numbers are for ratios within this run, not for the overhead table.
 */
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { Miniflare } from "miniflare";
import { unstable_readConfig } from "wrangler";
import { buildGateway, readGatewaySettings } from "./build";
import { killChildrenOnExit, startUpstreamProcess } from "./processes";

const ROOT = resolve(import.meta.dirname, "..");
const OUT = join(ROOT, "bench/.out/batch");
const KEY = "sk-gw-bench-batch-1f2e3d";
const ADMIN = "bench-batch-admin-secret-0123";
const ITEMS = Number(process.env.BATCH_ITEMS ?? 2000);
const SAMPLES = Number(process.env.SAMPLES ?? 300);

function queuesAndBuckets() {
  const config = unstable_readConfig({ config: join(ROOT, "wrangler.toml") }, { hideWarnings: true });
  const queueProducers: Record<string, string> = {};
  for (const p of config.queues.producers ?? []) queueProducers[p.binding] = p.queue;
  const queueConsumers: Record<string, { maxBatchSize?: number; maxRetries?: number; deadLetterQueue?: string }> = {};
  for (const c of config.queues.consumers ?? []) {
    queueConsumers[c.queue] = {
      ...(c.max_batch_size === undefined ? {} : { maxBatchSize: c.max_batch_size }),
      ...(c.max_retries === undefined ? {} : { maxRetries: c.max_retries }),
      ...(c.dead_letter_queue === undefined ? {} : { deadLetterQueue: c.dead_letter_queue }),
    };
  }
  const r2Buckets: Record<string, string> = {};
  for (const b of config.r2_buckets) r2Buckets[b.binding] = b.bucket_name ?? b.binding;
  return { queueProducers, queueConsumers, r2Buckets };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function main(): Promise<void> {
  killChildrenOnExit();
  mkdirSync(OUT, { recursive: true });
  const upstream = await startUpstreamProcess(join(OUT, "upstream.log"));
  const built = await buildGateway(ROOT, join(OUT, "worker"), join(OUT, "build.log"));
  if (!built.ok) throw new Error(built.reason);
  const settings = readGatewaySettings(ROOT);
  const durableObjects: Record<string, { className: string; useSQLite: boolean }> = {};
  for (const d of settings.durableObjects) durableObjects[d.binding] = { className: d.className, useSQLite: d.sql };
  const sha = createHash("sha256").update(KEY).digest("hex");
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(built.worker.bundleDir, built.worker.mainModule),
    compatibilityDate: "2026-04-26",
    compatibilityFlags: ["nodejs_compat", "enable_request_signal"],
    host: "127.0.0.1",
    port: 0,
    durableObjects,
    ...queuesAndBuckets(),
    bindings: {
      ...settings.vars,
      LOCAL_ORIGIN_URL: upstream.url,
      ADMIN_SECRET: ADMIN,
      GATEWAY_STATIC_KEYS: JSON.stringify([{ key_id: "bench-batch", tenant: "acme", sha256: sha }]),
    },
  });
  const url = (await mf.ready).origin;
  try {
    const funded = await fetch(`${url}/admin/accounts/bench-batch/credits`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      body: JSON.stringify({ tenant: "acme", amount: 1_000_000_000_000, reference: "bench-batch", type: "topup" }),
    });
    if (!funded.ok) throw new Error(`funding failed: ${funded.status} ${await funded.text()}`);
    const auth = { authorization: `Bearer ${KEY}` };
    const chat = JSON.stringify({ model: "small", messages: [{ role: "user", content: "Hello" }], max_tokens: 64 });
    const sample = async (n: number) => {
      const times: number[] = [];
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        const res = await fetch(`${url}/v1/chat/completions`, {
          method: "POST",
          headers: { ...auth, "content-type": "application/json" },
          body: chat,
        });
        await res.text();
        if (res.status !== 200) throw new Error(`interactive request answered ${res.status}`);
        times.push(performance.now() - t0);
      }
      return times.sort((a, b) => a - b);
    };
    const batchState = async (id: string) =>
      (await (await fetch(`${url}/v1/batches/${id}`, { headers: auth })).json()) as {
        status: string;
        request_counts: { completed: number; failed: number };
      };

    await sample(50); // warm-up
    const before = await sample(SAMPLES);

    const lines = Array.from({ length: ITEMS }, (_, i) =>
      JSON.stringify({
        custom_id: `b-${i}`,
        method: "POST",
        url: "/v1/chat/completions",
        body: { model: "small", messages: [{ role: "user", content: `Item ${i}` }], max_tokens: 64 },
      }),
    ).join("\n");
    const form = new FormData();
    form.set("purpose", "batch");
    form.set("file", new File([lines], "bench.jsonl"));
    const file = (await (await fetch(`${url}/v1/files`, { method: "POST", headers: auth, body: form })).json()) as {
      id: string;
    };
    const created = (await (
      await fetch(`${url}/v1/batches`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ input_file_id: file.id, endpoint: "/v1/chat/completions", completion_window: "24h" }),
      })
    ).json()) as { id: string };
    const startedAt = performance.now();
    const during = await sample(SAMPLES);
    const mid = await batchState(created.id);
    const measuredMs = performance.now() - startedAt;
    let end = mid;
    while (!["completed", "cancelled", "failed", "expired"].includes(end.status)) {
      await new Promise((r) => setTimeout(r, 250));
      end = await batchState(created.id);
    }
    const batchMs = performance.now() - startedAt;
    const after = await sample(SAMPLES);

    const row = (name: string, t: number[]) =>
      `${name.padEnd(22)} p50 ${percentile(t, 50).toFixed(2).padStart(7)} ms  p95 ${percentile(t, 95).toFixed(2).padStart(7)} ms  p99 ${percentile(t, 99).toFixed(2).padStart(7)} ms`;
    const ratio = (p: number) => {
      const base = Math.min(percentile(before, p), percentile(after, p));
      return (percentile(during, p) / base).toFixed(2);
    };
    console.log(`interactive chat, c=1, ${SAMPLES} requests per phase; batch of ${ITEMS} items on the same tenant`);
    console.log(row("before the batch", before));
    console.log(row("while the batch runs", during));
    console.log(row("after the batch", after));
    console.log(
      `ratio while/without (the lower of before and after): p50 ×${ratio(50)}, p95 ×${ratio(95)}, p99 ×${ratio(99)}`,
    );
    console.log(
      `batch: ${mid.request_counts.completed} items done during the ${(measuredMs / 1000).toFixed(1)} s measured; ` +
        `all ${end.request_counts.completed} completed (${end.request_counts.failed} failed) in ${(batchMs / 1000).toFixed(1)} s (${end.status})`,
    );
  } finally {
    await mf.dispose();
    upstream.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
