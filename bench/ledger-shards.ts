/**
 * One tenant's ledger throughput, alone: the production Durable Object ledger (facade with group commit, TenantLedger)
 * behind a ledger-only Worker (bench/workers/ledger-entry.ts) under plain workerd, driven by many concurrent callers,
 * each HTTP request one admission + one settlement of a random key of the tenant. The same run measures the tenant on
 * one object and sharded over 2 and 4 objects (credits.ledger_shards), in interleaved slices, and prints requests/s
 * (= admit+settle pairs/s), ledger items/s (2 per pair), the workerd process's CPU per pair and its share of one core,
 * and the machine's load average.
 *
 *   npx tsx bench/ledger-shards.ts
 *   LEDGER_BENCH_SECONDS=5 LEDGER_BENCH_ROUNDS=3 LEDGER_BENCH_CONNECTIONS=64 LEDGER_BENCH_KEYS=64 npx tsx bench/ledger-shards.ts
 *
 * Read it right: workerd runs the Worker and every object of this process on one thread, so here the shards share
 * one core with each other and with the facade; the N=1 row is a floor for one object's ceiling (the thread is busy
 * with the facade too), and N=2/4 show what sharding costs or saves in this process, not the N-fold a deployment gets
 * when each object runs on its own machine. "requests/s with a core to itself" is 10^6 / (CPU µs per request): what
 * this one thread would serve if nothing else on the machine wanted the CPU (on a loaded machine the process gets a
 * fraction of a core, shown in the column before). Ledger data is in RAM (/dev/shm) unless BENCH_STORAGE_DIR says
 * otherwise.
 */
import { mkdirSync } from "node:fs";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import autocannon, { type Result } from "autocannon";
import { build } from "esbuild";
import { WORKER_BUNDLE } from "./build";
import { cpuMicros, freePort, killChildrenOnExit, startWorkerd, stopChildren } from "./processes";
import { ledgerStorage } from "./storage";
import { writeWorkerdConfig } from "./workerd-config";

const ROOT = resolve(import.meta.dirname, "..");
const OUT = join(ROOT, "bench/.out/ledger-shards");
const SECONDS = Number(process.env.LEDGER_BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.LEDGER_BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.LEDGER_BENCH_CONNECTIONS ?? 64);
const KEYS = Number(process.env.LEDGER_BENCH_KEYS ?? 64);
const SHARDS = [1, 2, 4] as const;

interface Totals {
  pairs: number;
  failed: number;
  seconds: number;
  cpuMicros: number;
}

function slice(base: string, shards: number, seconds: number): Promise<Result> {
  const tenant = `bench-${shards}`;
  return new Promise((done, fail) => {
    autocannon(
      {
        url: base,
        connections: CONNECTIONS,
        duration: seconds,
        timeout: 30,
        requests: [
          {
            method: "POST",
            setupRequest: (req) => ({
              ...req,
              path: `/pair?tenant=${tenant}&shards=${shards}&key=${Math.floor(Math.random() * KEYS)}`,
            }),
          },
        ],
      },
      (err, result) => (err ? fail(err) : done(result)),
    );
  });
}

async function main(): Promise<void> {
  killChildrenOnExit();
  mkdirSync(OUT, { recursive: true });
  const bundleDir = join(OUT, "bundle");
  await build({
    ...WORKER_BUNDLE,
    entryPoints: [join(ROOT, "bench/workers/ledger-entry.ts")],
    outfile: join(bundleDir, "index.js"),
    logLevel: "warning",
  });
  const storage = ledgerStorage(process.env.BENCH_STORAGE_DIR, join(OUT, "do-storage"));
  const port = await freePort();
  const { configPath } = writeWorkerdConfig(
    {
      name: "ledger",
      bundleDir,
      mainModule: "index.js",
      port,
      vars: {},
      durableObjects: [
        { binding: "TENANT_LEDGER", className: "TenantLedger", sql: true },
        { binding: "KEY_DIRECTORY", className: "KeyDirectory", sql: true },
      ],
      durableObjectDir: storage.dir,
    },
    join(OUT, "ledger.capnp"),
  );
  const base = `http://127.0.0.1:${port}`;
  const workerd = await startWorkerd(
    "ledger",
    join(ROOT, "node_modules/.bin/workerd"),
    configPath,
    `${base}/`,
    join(OUT, "workerd.log"),
  );
  const loadBefore = loadavg();
  const totals = new Map<number, Totals>();
  for (const n of SHARDS) {
    const funded = await fetch(`${base}/fund?tenant=bench-${n}&shards=${n}&key=${KEYS}`, { method: "POST" });
    if (!funded.ok) throw new Error(`funding failed: ${funded.status} ${await funded.text()}`);
    await slice(base, n, 1); // warm-up: objects created, code hot
    totals.set(n, { pairs: 0, failed: 0, seconds: 0, cpuMicros: 0 });
  }
  for (let round = 0; round < ROUNDS; round++) {
    const order = SHARDS.map((_, i) => SHARDS[(i + round) % SHARDS.length] as number);
    for (const n of order) {
      const cpu0 = cpuMicros(workerd.pid);
      const result = await slice(base, n, SECONDS);
      await new Promise((r) => setTimeout(r, 150)); // settlement work after the last responses
      const t = totals.get(n) as Totals;
      t.pairs += result["2xx"];
      t.failed += result.non2xx + result.errors + result.timeouts;
      t.seconds += result.duration;
      t.cpuMicros += cpuMicros(workerd.pid) - cpu0;
      process.stderr.write(
        `round ${round + 1}/${ROUNDS} shards=${n}: ${Math.round(result["2xx"] / result.duration)} req/s\n`,
      );
    }
  }
  const loadAfter = loadavg();
  const one = totals.get(1) as Totals;
  const rate = (t: Totals) => t.pairs / t.seconds;
  const lines = [
    `Ledger-only throughput, one tenant: ${ROUNDS} rounds × ${SECONDS} s per configuration, c=${CONNECTIONS}, ${KEYS} keys; ` +
      `ledger data in ${storage.description}.`,
    `Load average before ${loadBefore.map((l) => l.toFixed(2)).join(" ")}, after ${loadAfter.map((l) => l.toFixed(2)).join(" ")}.`,
    "",
    "| ledger objects | requests/s (admit+settle) | ledger items/s | × one object | workerd CPU µs/request | workerd CPU (share of one core) | requests/s with a core to itself | failed |",
    "|---|---|---|---|---|---|---|---|",
    ...SHARDS.map((n) => {
      const t = totals.get(n) as Totals;
      const r = rate(t);
      return `| ${n} | ${Math.round(r).toLocaleString("en-US")} | ${Math.round(2 * r).toLocaleString("en-US")} | ×${(r / rate(one)).toFixed(2)} | ${Math.round(t.cpuMicros / Math.max(1, t.pairs))} | ${Math.round(t.cpuMicros / 1e4 / t.seconds)}% | ${Math.round(1e6 / (t.cpuMicros / Math.max(1, t.pairs))).toLocaleString("en-US")} | ${t.failed} |`;
    }),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  await stopChildren();
}

main().catch(async (err) => {
  console.error(err);
  await stopChildren();
  process.exit(1);
});
