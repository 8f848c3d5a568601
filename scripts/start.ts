/**
 * `npm start`: the gateway on 127.0.0.1 with no cloud account and no provider key.
 *
 * 1. starts the LOCAL ORIGIN (local/origin.ts): a deterministic OpenAI-compatible server standing in for a GPU
 *    cluster (vLLM/TGI/SGLang), which the example policy routes to through `${LOCAL_ORIGIN_URL}`, with a load model
 *    (4 slots, a queue, vLLM `/metrics`), and a second instance without limits standing in for a hosted provider
 *    (`${LOCAL_HOSTED_URL}`), so spillover can be watched (`npx tsx scripts/origin-load.ts`);
 * 2. builds the Worker exactly as `wrangler deploy` would (policies compiled first) into .local/build;
 * 3. serves it with Miniflare directly — one workerd process, no dev proxy or inspector in the request path.
 *
 * 4. funds the local dev key's account once (1,000 credits; an idempotent top-up through the admin API).
 *
 * Env: PORT (gateway, default 8787), ORIGIN_PORT (default 8788), GATEWAY_DEV_KEY (default sk-gw-local-dev, tenant
 * acme), GATEWAY_STATE_DIR (default .local/state), GATEWAY_ADMIN_SECRET (default: a fixed local-only secret, printed). Provider secrets (OPENAI_API_KEY, ...)
 * are read from .dev.vars when present, so hosted providers light up by adding keys there. State (credits, keys,
 * usage) persists in .local/state between runs.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { Miniflare } from "miniflare";
import { unstable_getDurableObjectClassNameToUseSQLiteMap, unstable_readConfig } from "wrangler";
import { warmUpUseLite } from "../local/embeddings-use";
import { startLocalOrigin } from "../local/origin";
import { localOutbound } from "./local-network";

const HOST = "127.0.0.1";
const port = Number(process.env.PORT ?? 8787);
const originPort = Number(process.env.ORIGIN_PORT ?? 8788);
const hostedPort = Number(process.env.HOSTED_STANDIN_PORT ?? 8789);
const devKey = process.env.GATEWAY_DEV_KEY ?? "sk-gw-local-dev";
const devTenant = process.env.GATEWAY_DEV_TENANT ?? "acme";
const outdir = resolve(".local/build");
const adminSecret = process.env.GATEWAY_ADMIN_SECRET ?? "local-admin-secret-not-for-production";
const DEV_ACCOUNT = "local-dev";
const DEV_CREDITS = 1_000_000_000; // micro-credits: 1,000 credits

function readDevVars(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  const vars: Record<string, string> = {};
  for (const line of readFileSync(path, "utf8").split(/\r?\n/)) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match?.[1] || match[2] === undefined) continue;
    vars[match[1]] = match[2].replace(/^(["'])(.*)\1$/, "$2");
  }
  return vars;
}

/** Whether something already listens on host:port (a second `npm start`, or another program). */
function portTaken(port: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = createServer();
    probe.once("error", () => done(true));
    probe.listen(port, HOST, () => probe.close(() => done(false)));
  });
}

async function main() {
  for (const [name, p] of [
    ["PORT", port],
    ["ORIGIN_PORT", originPort],
    ["HOSTED_STANDIN_PORT", hostedPort],
  ] as const) {
    if (await portTaken(p)) {
      console.error(
        `npm start: ${HOST}:${p} is already in use — is another \`npm start\` running? Stop it (Ctrl-C in its ` +
          `terminal), or choose other ports: ${name}=<port> npm start (PORT for the gateway, ORIGIN_PORT for the ` +
          "local origin, HOSTED_STANDIN_PORT for the hosted stand-in).",
      );
      process.exit(1);
    }
  }
  const origin = await startLocalOrigin({ port: originPort, host: HOST, load: true });
  console.log(`local origin (stand-in GPU cluster, deterministic answers, 4 slots): ${origin.url}`);
  const hosted = await startLocalOrigin({ port: hostedPort, host: HOST, name: "hosted stand-in" });
  console.log(`hosted stand-in (where a busy origin spills to): ${hosted.url}`);
  // The first chat would otherwise wait ~1.4 s while USE-lite (the cache's embedder) loads: load it now, and say so.
  const warming = performance.now();
  process.stdout.write("loading the local embedder (USE-lite, for the semantic cache)… ");
  await warmUpUseLite();
  console.log(`ready in ${((performance.now() - warming) / 1000).toFixed(1)} s`);

  execFileSync(
    process.execPath,
    [resolve("node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--outdir", outdir],
    {
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
    },
  );

  const staticKeys = [
    { key_id: "local-dev", tenant: devTenant, sha256: createHash("sha256").update(devKey).digest("hex") },
  ];
  const mf = new Miniflare({
    modules: true,
    scriptPath: resolve(outdir, "index.js"),
    compatibilityDate: "2026-04-26",
    compatibilityFlags: ["nodejs_compat", "enable_request_signal"],
    host: HOST,
    port,
    durableObjects: durableObjectsFromWranglerToml(),
    durableObjectsPersist: resolve(process.env.GATEWAY_STATE_DIR ?? ".local/state"),
    // The Batch API's queue (with its dead-letter queue) and files bucket, as wrangler.toml declares them.
    ...queuesAndBucketsFromWranglerToml(),
    r2Persist: resolve(process.env.GATEWAY_STATE_DIR ?? ".local/state"),
    assets: { directory: resolve("public"), routerConfig: { has_user_worker: true } },
    // Private and metadata ranges refused after DNS, as in production (scripts/local-network.ts).
    outboundService: localOutbound(),
    bindings: {
      ADMIN_SECRET: adminSecret,
      MAX_BODY_BYTES: "4194304",
      ...readDevVars(".dev.vars"),
      LOCAL_ORIGIN_URL: `${origin.url}/v1`,
      LOCAL_HOSTED_URL: `${hosted.url}/v1`,
      // The exact host:port the example `local_search` tool may reach (loopback is refused unless allowlisted so).
      LOCAL_ORIGIN_HOST: new URL(origin.url).host,
      GATEWAY_STATIC_KEYS: JSON.stringify(staticKeys),
    },
  });
  const url = await mf.ready;
  await fundDevAccount(url.origin);
  console.log(`gateway: ${url.origin}   (tenant "${devTenant}", key ${devKey}, admin secret ${adminSecret})`);
  console.log(`dashboard: ${url.origin}/dashboard/   (npm run traffic sends a realistic mix to fill it)`);
  console.log(
    `try:  curl -s ${url.origin}/v1/chat/completions -H 'authorization: Bearer ${devKey}' ` +
      `-H 'content-type: application/json' -d '{"model":"auto","messages":[{"role":"user","content":"Hello"}]}'`,
  );

  const stop = async () => {
    await mf.dispose().catch(() => undefined);
    await origin.close().catch(() => undefined);
    await hosted.close().catch(() => undefined);
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

/** The Durable Object bindings wrangler.toml declares, so the local run matches a deploy. */
function durableObjectsFromWranglerToml(): Record<string, { className: string; useSQLite: boolean }> {
  const config = unstable_readConfig({ config: resolve("wrangler.toml") }, { hideWarnings: true });
  const sqlite = unstable_getDurableObjectClassNameToUseSQLiteMap(config.migrations);
  const out: Record<string, { className: string; useSQLite: boolean }> = {};
  for (const b of config.durable_objects.bindings) {
    out[b.name] = { className: b.class_name, useSQLite: sqlite.get(b.class_name) === true };
  }
  return out;
}

/** Queue producers and consumers and R2 buckets from wrangler.toml (Miniflare runs the real Queue machinery). */
function queuesAndBucketsFromWranglerToml() {
  const config = unstable_readConfig({ config: resolve("wrangler.toml") }, { hideWarnings: true });
  const queueProducers: Record<string, string> = {};
  for (const p of config.queues.producers ?? []) queueProducers[p.binding] = p.queue;
  const queueConsumers: Record<
    string,
    { maxBatchSize?: number; maxBatchTimeout?: number; maxRetries?: number; deadLetterQueue?: string }
  > = {};
  for (const c of config.queues.consumers ?? []) {
    queueConsumers[c.queue] = {
      ...(c.max_batch_size === undefined ? {} : { maxBatchSize: c.max_batch_size }),
      ...(c.max_batch_timeout === undefined ? {} : { maxBatchTimeout: c.max_batch_timeout }),
      ...(c.max_retries === undefined ? {} : { maxRetries: c.max_retries }),
      ...(c.dead_letter_queue === undefined ? {} : { deadLetterQueue: c.dead_letter_queue }),
    };
  }
  const r2Buckets: Record<string, string> = {};
  for (const b of config.r2_buckets) r2Buckets[b.binding] = b.bucket_name ?? b.binding;
  return { queueProducers, queueConsumers, r2Buckets };
}

/** Idempotent by reference: restarts never add credits twice. */
async function fundDevAccount(origin: string): Promise<void> {
  const res = await fetch(`${origin}/admin/accounts/${DEV_ACCOUNT}/credits`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminSecret}`, "content-type": "application/json" },
    body: JSON.stringify({
      tenant: devTenant,
      amount: DEV_CREDITS,
      reference: "local-dev-initial-credits",
      type: "topup",
    }),
  });
  if (!res.ok) throw new Error(`could not fund the dev account: ${res.status} ${await res.text()}`);
  const balance = (await res.json()) as { balance?: number };
  console.log(`dev account "${DEV_ACCOUNT}" balance: ${balance.balance ?? "?"} micro-credits`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
