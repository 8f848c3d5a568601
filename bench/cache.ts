/**
 * `npx tsx bench/cache.ts [--quick]`: what a response-cache hit costs next to a 50 ms model, in one interleaved run.
 * One gateway (production code, the cache bench policy bench/cache-policy/, embedded Durable Object ledger and
 * cache) in front of one upstream (bench/cache-upstream.ts: chat answers after 50 ms, embeddings at once). Scenarios,
 * each sequential (c = 1):
 *   direct         the upstream itself: the 50 ms floor of any miss;
 *   cache off      the gateway's route without a cache;
 *   miss           the cached route with a new prompt every time: exact miss, embedding, semantic miss, the model,
 *                  and the store in the background;
 *   exact hit      the cached route, the same request again and again;
 *   semantic hit   paraphrases of a stored prompt (a semantic hit never stores, so they stay exact misses);
 *   exact hit, SSE the exact hit for a streaming client (replayed as chunks).
 * Reports latency percentiles and the CPU of the process serving each scenario per request. Writes
 * bench/.out/cache-results.md.
 */
import { fork } from "node:child_process";
import { createWriteStream, mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readGatewaySettings } from "./build";
import { buildCacheGateway } from "./cache-build";
import { measureScenarios, percentile, type Scenario, type ScenarioResult, type Timed, timed } from "./cache-measure";
import { UPSTREAM_DELAY_MS } from "./cache-upstream";
import { exitAfterChildren, killChildrenOnExit, track } from "./processes";
import { ledgerStorage } from "./storage";
import { CHAT_PATH, fundBenchAccount, gatewayVars, newAdminSecret, startWorker } from "./targets";

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
const OUT_DIR = join(REPO_ROOT, "bench/.out/cache");
const WORKERD = join(REPO_ROOT, "node_modules/.bin/workerd");
const API_KEY = "sk-bench-cache-0123456789abcdef";
const log = (line: string) => console.error(`[cache-bench] ${line}`);

const SEED = "Explain how photosynthesis works in simple terms for a child";
const PARAPHRASES = [
  "Please explain how photosynthesis works in simple terms for a child",
  "Can you explain how photosynthesis works in simple terms for a child",
  "Explain to me how photosynthesis works in simple terms for a child",
  "Explain how photosynthesis works in simple terms for a child please",
];
const EXACT = "Say hello to the cache bench";

function startUpstream(logPath: string): Promise<{ url: string; pid: number }> {
  const child = fork(fileURLToPath(new URL("./cache-upstream.ts", import.meta.url)), [], {
    execArgv: ["--import", import.meta.resolve("tsx")],
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  track(child);
  const out = createWriteStream(logPath);
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`cache upstream exited with ${code} (log: ${logPath})`)));
    child.once("message", (m: unknown) => {
      const url = (m as { url?: unknown }).url;
      if (typeof url === "string" && child.pid !== undefined) resolve({ url, pid: child.pid });
      else reject(new Error(`cache upstream sent ${JSON.stringify(m)}`));
    });
  });
}

const body = (model: string, content: string, stream = false) =>
  JSON.stringify({ model, temperature: 0, messages: [{ role: "user", content }], ...(stream ? { stream: true } : {}) });

function randomWord(): string {
  return Array.from({ length: 8 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join("");
}

const cacheIs =
  (want: string | undefined) =>
  (r: Timed): string | undefined => {
    const got = r.headers["x-gateway-cache"];
    return got === want ? undefined : `x-gateway-cache ${String(got)}, expected ${String(want)}`;
  };

function table(scenarios: Scenario[], results: Map<string, ScenarioResult>): string {
  const rows = [
    "| scenario | requests | p50 ms | p90 ms | p99 ms | mean ms | CPU ms/request | wrong |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const s of scenarios) {
    const r = results.get(s.id);
    if (r === undefined) continue;
    const sorted = [...r.latencies].sort((a, b) => a - b);
    const mean = sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length);
    const cpu = r.cpuMicros / 1000 / Math.max(1, r.requests);
    const f = (n: number) => n.toFixed(2);
    rows.push(
      `| ${s.label} | ${r.requests} | ${f(percentile(sorted, 50))} | ${f(percentile(sorted, 90))} | ` +
        `${f(percentile(sorted, 99))} | ${f(mean)} | ${f(cpu)} | ${r.wrong}${r.firstWrong ? ` (${r.firstWrong})` : ""} |`,
    );
  }
  return rows.join("\n");
}

async function main(): Promise<void> {
  const quick = process.argv.includes("--quick");
  const opts = quick ? { rounds: 1, requests: 20, warmup: 2 } : { rounds: 4, requests: 60, warmup: 5 };
  killChildrenOnExit();
  setTimeout(() => void exitAfterChildren(2), 15 * 60_000).unref();
  mkdirSync(OUT_DIR, { recursive: true });
  const [upstream, built] = await Promise.all([
    startUpstream(join(OUT_DIR, "upstream.log")),
    buildCacheGateway(REPO_ROOT, OUT_DIR),
  ]);
  log(`upstream ${upstream.url} (${UPSTREAM_DELAY_MS} ms per chat answer); policy ${built.policyVersion}`);
  const settings = readGatewaySettings(REPO_ROOT);
  const adminSecret = newAdminSecret();
  const storage = ledgerStorage(process.env.BENCH_STORAGE_DIR, OUT_DIR);
  const gateway = await startWorker(
    {
      name: "cache-gateway",
      built: built.worker,
      vars: gatewayVars({ settings, upstreamUrl: upstream.url, apiKey: API_KEY, adminSecret }),
      durableObjects: settings.durableObjects,
      durableObjectDir: join(storage.dir, "cache-gateway-do-storage"),
    },
    OUT_DIR,
    WORKERD,
  );
  const funding = await fundBenchAccount(gateway.base, adminSecret);
  if (funding !== undefined) throw new Error(funding);
  const auth = { authorization: `Bearer ${API_KEY}` };
  const gw = `${gateway.base}${CHAT_PATH}`;
  let paraphrase = 0;
  const scenarios: Scenario[] = [
    {
      id: "direct",
      label: `direct upstream (${UPSTREAM_DELAY_MS} ms)`,
      url: `${upstream.url}${CHAT_PATH}`,
      headers: {},
      cpuPid: upstream.pid,
      body: () => body("local-small", EXACT),
      check: () => undefined,
    },
    {
      id: "off",
      label: "gateway, cache off",
      url: gw,
      headers: auth,
      cpuPid: gateway.process.pid,
      body: () => body("plain", EXACT),
      check: cacheIs(undefined),
    },
    {
      id: "miss",
      label: "gateway, cache miss (new prompt)",
      url: gw,
      headers: auth,
      cpuPid: gateway.process.pid,
      body: () => body("cached", `Write a short note about ${randomWord()} and ${randomWord()}`),
      check: cacheIs("miss"),
    },
    {
      id: "exact",
      label: "gateway, exact hit",
      url: gw,
      headers: auth,
      cpuPid: gateway.process.pid,
      body: () => body("cached", EXACT),
      check: cacheIs("hit"),
    },
    {
      id: "semantic",
      label: "gateway, semantic hit",
      url: gw,
      headers: auth,
      cpuPid: gateway.process.pid,
      body: () => body("cached", PARAPHRASES[paraphrase++ % PARAPHRASES.length] ?? SEED),
      check: cacheIs("hit"),
    },
    {
      id: "stream",
      label: "gateway, exact hit, SSE replay",
      url: gw,
      headers: auth,
      cpuPid: gateway.process.pid,
      body: () => body("cached", EXACT, true),
      check: cacheIs("hit"),
    },
  ];
  // Seed the entries the hit scenarios expect (the store runs after the response: give it a moment).
  for (const seed of [body("cached", EXACT), body("cached", SEED)]) await timed(scenarios[3] as Scenario, seed);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const results = await measureScenarios(scenarios, opts, log);
  const header =
    `## Response cache vs a ${UPSTREAM_DELAY_MS} ms upstream — ${new Date().toISOString()}\n\n` +
    `${cpus().length} cores (${cpus()[0]?.model.trim() ?? "?"}), Node ${process.version}; ${opts.rounds} round(s) × ` +
    `${opts.requests} sequential requests per scenario, interleaved; gateway = production code, Durable Object ledger ` +
    `and cache (in the same workerd process, so their CPU is in the gateway's; data in ${storage.description}), ` +
    "embeddings from the bench upstream " +
    "(lexical, 256 dims, no delay). CPU: user + system time of the serving process per request.\n";
  const report = `${header}\n${table(scenarios, results)}\n`;
  writeFileSync(join(OUT_DIR, "..", "cache-results.md"), report);
  console.log(report);
}

main()
  .then(() => exitAfterChildren(0))
  .catch((error: unknown) => {
    console.error(`[cache-bench] failed: ${error instanceof Error ? error.message : String(error)}`);
    return exitAfterChildren(1);
  });
