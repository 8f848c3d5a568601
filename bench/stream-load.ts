/**
 * `npx tsx bench/stream-load.ts`: streams under concurrency, for the gateway with and without overlapped admission
 * (and the passthrough that reads the answer in JS, the floor), in interleaved slices of one run: CPU per stream,
 * p50/p99 of the whole stream, and the memory of each workerd process (peak RSS, sampled every 50 ms, and at the
 * end). The main bench streams at concurrency 1 only; this is where a cost that grows with concurrency shows.
 *
 *   STREAM_LOAD_SECONDS=3 STREAM_LOAD_ROUNDS=2 STREAM_LOAD_CONCURRENCY=1,16,64 npx tsx bench/stream-load.ts
 *   STREAM_LOAD_COMPARE=name=dir[,…]   other checkouts as more rows (default tenant), as BENCH_COMPARE does
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon, { type Result } from "autocannon";
import { buildGateway, buildPassthrough, type GatewayBuild, readGatewaySettings } from "./build";
import { cpuMicros, killChildrenOnExit, startUpstreamProcess, stopChildren } from "./processes";
import { ledgerStorage } from "./storage";
import {
  CHAT_PATH,
  fundBenchAccount,
  type GatewayCommon,
  gatewayVars,
  ledgerSummary,
  newAdminSecret,
  startWorker,
} from "./targets";

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
const OUT = join(REPO_ROOT, "bench/.out/stream-load");
const WORKERD = join(REPO_ROOT, "node_modules/.bin/workerd");
const KEY = "bench-static-0123456789abcdef0123456789abcdef";
const seconds = Number(process.env.STREAM_LOAD_SECONDS ?? 3);
const rounds = Number(process.env.STREAM_LOAD_ROUNDS ?? 2);
const levels = (process.env.STREAM_LOAD_CONCURRENCY ?? "1,16,64").split(",").map(Number);
const BODY = JSON.stringify({ model: "small", stream: true, messages: [{ role: "user", content: "Say hello" }] });

interface Row {
  label: string;
  url: string;
  pid: number;
  base?: string;
  tenant?: string;
  peakRssKb: number;
  byLevel: Map<number, { streams: number; cpu: number; latencies: number[]; failed: number }>;
}

function statusKb(pid: number, field: string): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
}

const rssKb = (pid: number) => statusKb(pid, "VmRSS");

/** Resident memory at the end split into the process's own (anonymous) and shared-memory pages (the ledger's tmpfs). */
function rssParts(pid: number): string {
  const mb = (field: string) => (statusKb(pid, field) / 1024).toFixed(0);
  return `${mb("VmRSS")} (anon ${mb("RssAnon")}, shmem ${mb("RssShmem")})`;
}

async function slice(row: Row, connections: number): Promise<void> {
  const cpuBefore = cpuMicros(row.pid);
  const sampler = setInterval(() => {
    row.peakRssKb = Math.max(row.peakRssKb, rssKb(row.pid));
  }, 50);
  const latencies: number[] = [];
  let failed = 0;
  const result = await new Promise<Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: row.url,
        method: "POST",
        headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
        body: BODY,
        connections,
        duration: seconds,
        timeout: 20,
      },
      (error, res) => (error ? reject(error) : resolve(res)),
    );
    instance.on("response", (_client, status, _bytes, time) => {
      if (status === 200) latencies.push(time);
      else failed++;
    });
  });
  await new Promise((r) => setTimeout(r, 300));
  clearInterval(sampler);
  row.peakRssKb = Math.max(row.peakRssKb, rssKb(row.pid));
  const level = row.byLevel.get(connections) ?? { streams: 0, cpu: 0, latencies: [], failed: 0 };
  level.streams += result["2xx"];
  level.cpu += cpuMicros(row.pid) - cpuBefore;
  level.latencies.push(...latencies);
  level.failed += failed + result.errors + result.timeouts;
  row.byLevel.set(connections, level);
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : (s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number);
};

async function main(): Promise<void> {
  killChildrenOnExit();
  mkdirSync(OUT, { recursive: true });
  const storage = ledgerStorage(process.env.BENCH_STORAGE_DIR, OUT);
  const compare = (process.env.STREAM_LOAD_COMPARE ?? "")
    .split(",")
    .filter((s) => s.includes("="))
    .map((s) => s.split("=") as [string, string]);
  const [upstream, reading, built, ...compared] = await Promise.all([
    startUpstreamProcess(join(OUT, "upstream.log")),
    buildPassthrough(REPO_ROOT, join(OUT, "passthrough-read"), "bench/workers/passthrough-read.ts"),
    buildGateway(REPO_ROOT, join(OUT, "gateway"), join(OUT, "gateway-build.log")),
    ...compare.map(([name, dir]) => buildGateway(dir, join(OUT, name, "gateway"), join(OUT, name, "build.log"))),
  ]);
  if (!built.ok) throw new Error(built.reason);
  const common: GatewayCommon = {
    settings: readGatewaySettings(REPO_ROOT),
    upstreamUrl: upstream.url,
    apiKey: KEY,
    adminSecret: newAdminSecret(),
  };
  const rows: Row[] = [];
  const readingWorker = await startWorker(
    { name: "passthrough-read", built: reading, vars: { UPSTREAM_URL: upstream.url } },
    OUT,
    WORKERD,
  );
  rows.push({
    label: "Hono passthrough reading the answer in JS",
    url: `${readingWorker.base}${CHAT_PATH}`,
    pid: readingWorker.process.pid,
    peakRssKb: 0,
    byLevel: new Map(),
  });
  const gateways: { label: string; id: string; tenant: string; build: GatewayBuild }[] = [
    { label: "gateway, DO ledger", id: "gw", tenant: "acme", build: built },
    { label: "gateway, DO ledger, overlapped admission", id: "gw-overlap", tenant: "acme-overlap", build: built },
    ...compare.map(([name], i) => ({
      label: `${name} (DO ledger)`,
      id: `gw-${name}`,
      tenant: "acme",
      build: compared[i] ?? built,
    })),
  ];
  for (const g of gateways) {
    if (!g.build.ok) throw new Error(g.build.reason);
    const started = await startWorker(
      {
        name: g.id,
        built: g.build.worker,
        vars: gatewayVars(common, g.tenant),
        durableObjects: common.settings.durableObjects,
        durableObjectDir: join(storage.dir, `${g.id}-do-storage`),
      },
      OUT,
      WORKERD,
    );
    const funding = await fundBenchAccount(started.base, common.adminSecret, g.tenant);
    if (funding !== undefined) throw new Error(funding);
    rows.push({
      label: g.label,
      url: `${started.base}${CHAT_PATH}`,
      pid: started.process.pid,
      base: started.base,
      tenant: g.tenant,
      peakRssKb: 0,
      byLevel: new Map(),
    });
  }
  for (const row of rows) await slice(row, 4); // warm up (JIT, first Durable Object access)
  for (const row of rows) row.byLevel.clear();
  for (let round = 0; round < rounds; round++) {
    for (const c of levels) {
      const order = rows.map((_, i) => rows[(i + round) % rows.length] as Row);
      for (const row of order) {
        console.error(`[stream-load] round ${round + 1}/${rounds}, c=${c}: ${row.label}`);
        await slice(row, c);
      }
    }
  }
  await new Promise((r) => setTimeout(r, 1000));
  const floor = rows[0] as Row;
  const lines = [
    `## Streams under concurrency — ${new Date().toISOString()}`,
    "",
    `${rounds} round(s) × ${seconds} s per target and level, interleaved; upstream sends 64 chunks + usage at once.`,
    "",
    "| target | concurrency | streams/s | CPU µs/stream | × reading floor | p50 (ms) | p99 (ms) | failed | peak RSS (MB) | RSS at end (MB) |",
    "|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const row of rows) {
    for (const c of levels) {
      const l = row.byLevel.get(c);
      const f = floor.byLevel.get(c);
      if (l === undefined || f === undefined) continue;
      const cpu = l.cpu / Math.max(1, l.streams);
      const floorCpu = f.cpu / Math.max(1, f.streams);
      lines.push(
        `| ${row.label} | ${c} | ${Math.round(l.streams / (rounds * seconds)).toLocaleString("en-US")} | ${Math.round(cpu).toLocaleString("en-US")} | ×${(cpu / floorCpu).toFixed(2)} | ${pct(l.latencies, 50).toFixed(1)} | ${pct(l.latencies, 99).toFixed(1)} | ${l.failed} | ${(row.peakRssKb / 1024).toFixed(0)} | ${rssParts(row.pid)} |`,
      );
    }
  }
  const ledgers = rows.filter((r) => r.base !== undefined);
  lines.push("");
  for (const row of ledgers) {
    lines.push(`- ${row.label}: ${await ledgerSummary(row.base as string, common.adminSecret, row.tenant)}`);
  }
  console.log(lines.join("\n"));
}

main()
  .then(() => stopChildren())
  .then(() => process.exit(0))
  .catch(async (err: unknown) => {
    console.error(err);
    await stopChildren();
    process.exit(1);
  });
