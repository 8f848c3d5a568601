/**
 * `npm run bench [-- --quick]`: what the gateway adds — latency, throughput, CPU per request, stream time-to-first-
 * byte — over a direct call to the upstream and over a bare Hono passthrough Worker, for each ledger backend (the
 * embedded Durable Objects and Upstash Redis), all sampled in one interleaved run. Everything listens on 127.0.0.1;
 * every child process is killed on exit.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildGateway, buildPassthrough, type GatewayBuild, NOOP_GATEWAY_ENTRY, readGatewaySettings } from "./build";
import { renderFloors } from "./floors";
import { checkTarget, type Target } from "./http-client";
import { measure } from "./measure";
import { renderObservability } from "./observability";
import { estimateSeconds, readOptions } from "./options";
import { type OtlpSink, startOtlpSink } from "./otlp-sink";
import {
  exitAfterChildren,
  killChildrenOnExit,
  startUpstashProcess,
  startUpstreamProcess,
  type UpstashProcess,
} from "./processes";
import { renderReport } from "./report";
import { measureRouterDecision } from "./router-decision-cpu";
import { renderRouterRow } from "./router-row";
import { ledgerStorage } from "./storage";
import {
  CHAT_PATH,
  fundBenchAccount,
  type GatewayCommon,
  gatewayVars,
  ledgerSummary,
  makeTarget,
  newAdminSecret,
  startWorker,
} from "./targets";
import { STATS_PATH } from "./upstream";

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
const OUT_DIR = join(REPO_ROOT, "bench/.out");
const WORKERD = join(REPO_ROOT, "node_modules/.bin/workerd");

const log = (line: string) => console.error(`[bench] ${line}`);
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

type Started = { ok: true; target: Target; base: string; tenant?: string } | { ok: false; reason: string };

interface GatewayVariant {
  id: string;
  label: string;
  /** The bench policy's tenant the bench key belongs to (default `acme`). */
  tenant?: string;
  /** The `model` its requests name (default `small`). */
  model?: string;
  /** Ledger settings on top of the common gateway vars; a string is why this variant cannot run. */
  ledger: { vars: Record<string, string>; sideCpu?: Target["sideCpu"] } | string;
}

/** Starts one gateway process, funds its bench account and checks it answers; failures become a reason. */
async function startGateway(
  variant: GatewayVariant,
  build: GatewayBuild,
  common: GatewayCommon,
  storageDir: string,
): Promise<Started> {
  if (!build.ok) return build;
  if (typeof variant.ledger === "string") return { ok: false, reason: variant.ledger };
  try {
    const started = await startWorker(
      {
        name: variant.id,
        built: build.worker,
        vars: { ...gatewayVars(common, variant.tenant), ...variant.ledger.vars },
        durableObjects: common.settings.durableObjects,
        durableObjectDir: join(storageDir, `${variant.id}-do-storage`),
      },
      OUT_DIR,
      WORKERD,
    );
    if (started.skippedDurableObjects.length > 0) {
      log(`${variant.id}: the bundle does not export ${started.skippedDurableObjects.join(", ")}, left out`);
    }
    const funding = await fundBenchAccount(started.base, common.adminSecret, variant.tenant);
    if (funding !== undefined) return { ok: false, reason: funding };
    const target = makeTarget(
      {
        id: variant.id,
        role: "gateway",
        label: variant.label,
        url: `${started.base}${CHAT_PATH}`,
        cpuPid: started.process.pid,
        ...(variant.ledger.sideCpu ? { sideCpu: variant.ledger.sideCpu } : {}),
        ...(variant.model === undefined ? {} : { model: variant.model }),
      },
      common.apiKey,
    );
    const ready = await checkTarget(target);
    if (!ready.ok) return ready;
    return {
      ok: true,
      target,
      base: started.base,
      ...(variant.tenant === undefined ? {} : { tenant: variant.tenant }),
    };
  } catch (error) {
    return { ok: false, reason: message(error) };
  }
}

function upstashLedger(upstash: UpstashProcess | string): GatewayVariant["ledger"] {
  if (typeof upstash === "string") return `the local Upstash store did not start: ${upstash}`;
  return {
    vars: {
      LEDGER_BACKEND: "upstash",
      UPSTASH_REDIS_REST_URL: upstash.url,
      UPSTASH_REDIS_REST_TOKEN: upstash.token,
    },
    sideCpu: { label: "REST front + redis-server", pids: [upstash.pid, upstash.redisPid] },
  };
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2), process.env);
  killChildrenOnExit();
  setTimeout(() => {
    console.error(`[bench] hard time limit (${options.hardLimitSeconds} s) reached; stopping`);
    void exitAfterChildren(2);
  }, options.hardLimitSeconds * 1000).unref();
  mkdirSync(OUT_DIR, { recursive: true });
  // `do-rpc` is two targets (one and two Durable Object calls).
  // With `noop`, each compared checkout also runs as a no-op-ledger row.
  const compareRows = options.compare.length * (options.gateways.includes("noop") ? 2 : 1);
  const targetCount = 3 + options.gateways.length + (options.gateways.includes("do-rpc") ? 1 : 0) + compareRows;
  const estimate = estimateSeconds(options.secondsPerSlice, options.rounds, options.warmupSeconds, targetCount);
  log(`${options.rounds} round(s) × ${options.secondsPerSlice} s slices; about ${Math.round(estimate)} s of load`);

  const storage = ledgerStorage(options.storageDir, OUT_DIR);
  const upstashDir = join(storage.dir, "upstash-redis");
  rmSync(upstashDir, { recursive: true, force: true });
  mkdirSync(upstashDir, { recursive: true });
  const wantUpstash = options.gateways.includes("upstash");
  log(
    `building the Workers, starting the upstream${wantUpstash ? " and the Upstash store (redis-server + REST front)" : ""}`,
  );
  const wantNoop = options.gateways.includes("noop");
  const wantFloors = options.gateways.includes("do-rpc");
  const wantWriteFloor = options.gateways.includes("do-write");
  const wantGroupFloor = options.gateways.includes("do-write-gc");
  const [upstream, upstash, passthroughBuilt, readingBuilt, floorBuilt, gatewayBuilt, noopBuilt, ...compareBuilt] =
    await Promise.all([
      startUpstreamProcess(join(OUT_DIR, "upstream.log")),
      wantUpstash
        ? startUpstashProcess(join(OUT_DIR, "upstash.log"), upstashDir).catch(message)
        : "not requested (BENCH_GATEWAYS)",
      buildPassthrough(REPO_ROOT, join(OUT_DIR, "passthrough")),
      buildPassthrough(REPO_ROOT, join(OUT_DIR, "passthrough-read"), "bench/workers/passthrough-read.ts"),
      buildPassthrough(REPO_ROOT, join(OUT_DIR, "passthrough-do"), "bench/workers/passthrough-do.ts"),
      buildGateway(REPO_ROOT, join(OUT_DIR, "gateway"), join(OUT_DIR, "gateway-build.log")),
      // Its own directory: the policy build writes <outDir>/../policy.json, which must not race the other build's.
      wantNoop
        ? buildGateway(
            REPO_ROOT,
            join(OUT_DIR, "noop", "gateway"),
            join(OUT_DIR, "noop", "build.log"),
            undefined,
            NOOP_GATEWAY_ENTRY,
          )
        : ({ ok: false, reason: "not requested (BENCH_GATEWAYS)" } as const),
      ...options.compare.map(({ name, dir }) =>
        buildGateway(dir, join(OUT_DIR, "compare", name, "gateway"), join(OUT_DIR, "compare", name, "build.log")),
      ),
    ]);
  // With `noop`, each compared checkout's own no-op entry too (a checkout without one gets a "not ready" row).
  const compareNoopBuilt = wantNoop
    ? await Promise.all(
        options.compare.map(({ name, dir }) =>
          existsSync(join(dir, NOOP_GATEWAY_ENTRY))
            ? buildGateway(
                dir,
                join(OUT_DIR, "compare", name, "noop", "gateway"),
                join(OUT_DIR, "compare", name, "noop", "build.log"),
                undefined,
                NOOP_GATEWAY_ENTRY,
              )
            : ({ ok: false, reason: `no ${NOOP_GATEWAY_ENTRY} in ${dir}` } as const),
        ),
      )
    : [];
  log(`upstream on ${upstream.url} (pid ${upstream.pid})`);
  if (typeof upstash !== "string") {
    log(`upstash front on ${upstash.url} (pid ${upstash.pid}, redis ${upstash.redisPid})`);
  }
  if (gatewayBuilt.ok) log(`gateway built with the bench policy ${gatewayBuilt.policyVersion}`);

  const passthrough = await startWorker(
    { name: "passthrough", built: passthroughBuilt, vars: { UPSTREAM_URL: upstream.url } },
    OUT_DIR,
    WORKERD,
  );
  const reading = await startWorker(
    { name: "passthrough-read", built: readingBuilt, vars: { UPSTREAM_URL: upstream.url } },
    OUT_DIR,
    WORKERD,
  );
  const targets = [
    makeTarget(
      { id: "direct", role: "direct", label: "direct", url: `${upstream.url}${CHAT_PATH}`, cpuPid: upstream.pid },
      options.apiKey,
    ),
    makeTarget(
      {
        id: "passthrough",
        role: "passthrough",
        label: "bare Hono passthrough",
        url: `${passthrough.base}${CHAT_PATH}`,
        cpuPid: passthrough.process.pid,
      },
      options.apiKey,
    ),
    makeTarget(
      {
        id: "passthrough-read",
        role: "reading",
        label: "Hono passthrough reading the answer in JS",
        url: `${reading.base}${CHAT_PATH}`,
        cpuPid: reading.process.pid,
      },
      options.apiKey,
    ),
  ];
  const floors = [
    ...(wantFloors ? [1, 2].map((calls) => ({ calls, write: false, group: false })) : []),
    ...(wantWriteFloor ? [{ calls: 2, write: true, group: false }] : []),
    ...(wantGroupFloor ? [{ calls: 2, write: true, group: true }] : []),
  ];
  for (const { calls, write, group } of floors) {
    const name = group ? "passthrough-do-write-gc" : write ? "passthrough-do-write" : `passthrough-do${calls}`;
    const floor = await startWorker(
      {
        name,
        built: floorBuilt,
        vars: {
          UPSTREAM_URL: upstream.url,
          DO_CALLS: String(calls),
          DO_WRITE: write ? "1" : "0",
          DO_GROUP: group ? "1" : "0",
        },
        durableObjects: [
          { binding: "NOOP_LEDGER", className: "NoopLedgerObject", sql: true },
          { binding: "WRITE_LEDGER", className: "WriteLedgerObject", sql: true },
        ],
        durableObjectDir: join(storage.dir, `${name}-storage`),
      },
      OUT_DIR,
      WORKERD,
    );
    targets.push(
      makeTarget(
        {
          id: name,
          role: "floor",
          label: group
            ? "bare passthrough + the same 2 calls group-committed (one transaction per batch)"
            : write
              ? "bare passthrough + 2 Durable Object calls writing a hold (INSERT, then DELETE)"
              : `bare passthrough + ${calls} no-op Durable Object call${calls === 1 ? "" : "s"}`,
          url: `${floor.base}${CHAT_PATH}`,
          cpuPid: floor.process.pid,
        },
        options.apiKey,
      ),
    );
  }
  for (const t of targets) {
    const ready = await checkTarget(t);
    if (!ready.ok) throw new Error(`${t.label} does not work, so nothing can be compared: ${ready.reason}`);
  }

  const common: GatewayCommon = {
    settings: readGatewaySettings(REPO_ROOT),
    upstreamUrl: upstream.url,
    apiKey: options.apiKey,
    adminSecret: newAdminSecret(),
  };
  const variants: { variant: GatewayVariant; build: GatewayBuild }[] = [];
  if (options.gateways.includes("do")) {
    variants.push({
      variant: { id: "gateway-do", label: "gateway, Durable Object ledger", ledger: { vars: {} } },
      build: gatewayBuilt,
    });
  }
  if (wantNoop) {
    variants.push({
      variant: {
        id: "gateway-noop",
        label: "gateway, ledger store replaced by a no-op (measurement only)",
        ledger: { vars: {} },
      },
      build: noopBuilt,
    });
  }
  let sink: OtlpSink | undefined;
  if (options.gateways.includes("do-otel")) {
    sink = await startOtlpSink();
    variants.push({
      variant: {
        id: "gateway-do-otel",
        label: "gateway, DO ledger, tracing on",
        // Every request sampled (no traceparent comes in, the default sampler keeps new traces), spans batched per
        // second from waitUntil, metrics every 10 s: the defaults a deployment gets with an endpoint set.
        ledger: { vars: { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url } },
      },
      build: gatewayBuilt,
    });
  }
  if (options.gateways.includes("do-quiet")) {
    variants.push({
      variant: {
        id: "gateway-do-quiet",
        label: "gateway, DO ledger, analytics and tracing off",
        ledger: { vars: { ANALYTICS_BACKEND: "off" } },
      },
      build: gatewayBuilt,
    });
  }
  if (options.gateways.includes("do-router")) {
    variants.push({
      variant: {
        id: "gateway-do-router",
        label: "gateway, DO ledger, learned router on",
        model: "auto-learned",
        ledger: { vars: {} },
      },
      build: gatewayBuilt,
    });
  }
  if (options.gateways.includes("do-overlap")) {
    variants.push({
      variant: {
        id: "gateway-do-overlap",
        label: "gateway, DO ledger, overlapped admission",
        tenant: "acme-overlap",
        ledger: { vars: {} },
      },
      build: gatewayBuilt,
    });
  }
  options.compare.forEach(({ name }, i) => {
    const build = compareBuilt[i];
    if (build === undefined) return;
    variants.push({ variant: { id: `compare-${name}`, label: `${name} (DO ledger)`, ledger: { vars: {} } }, build });
  });
  options.compare.forEach(({ name }, i) => {
    const build = compareNoopBuilt[i];
    if (build === undefined) return;
    variants.push({
      variant: { id: `compare-${name}-noop`, label: `${name} (no-op ledger)`, ledger: { vars: {} } },
      build,
    });
  });
  if (wantUpstash) {
    variants.push({
      variant: { id: "gateway-upstash", label: "gateway, Upstash ledger", ledger: upstashLedger(upstash) },
      build: gatewayBuilt,
    });
  }
  const unavailable: { label: string; reason: string }[] = [];
  const gatewayBases = new Map<string, { base: string; tenant?: string }>();
  // One after the other: each starts its own workerd and the checks should not compete for the two cores.
  for (const { variant, build } of variants) {
    const started = await startGateway(variant, build, common, storage.dir);
    if (started.ok) {
      targets.push(started.target);
      gatewayBases.set(started.target.id, {
        base: started.base,
        ...(started.tenant ? { tenant: started.tenant } : {}),
      });
      log(`${variant.label}: ready (200 with the upstream's answer, JSON and stream)`);
    } else {
      log(`${variant.label} not ready: ${started.reason}`);
      unavailable.push({ label: variant.label, reason: `not ready: ${started.reason}` });
    }
  }

  const results = await measure(
    targets,
    {
      secondsPerSlice: options.secondsPerSlice,
      rounds: options.rounds,
      warmupSeconds: options.warmupSeconds,
      spreadRequests: options.spreadRequests,
      upstreamStatsUrl: `${upstream.url}${STATS_PATH}`,
      streamsOnly: options.streamsOnly,
    },
    log,
  );

  // Settlement runs after each response (waitUntil): give the last ones a moment before reading the ledgers.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const notes = new Map<string, string>();
  for (const [id, { base, tenant }] of gatewayBases) {
    notes.set(id, await ledgerSummary(base, common.adminSecret, tenant));
  }

  if (sink !== undefined) {
    const s = sink.stats();
    notes.set(
      "gateway-do-otel",
      `${notes.get("gateway-do-otel") ?? ""} OTLP sink received ${s.traces} trace and ${s.metrics} metric exports, ` +
        `${Math.round(s.bytes / 1024)} KiB.`,
    );
    sink.close();
  }
  const policyVersion = gatewayBuilt.ok ? gatewayBuilt.policyVersion : "not built";
  const header = [
    `## Gateway overhead — ${new Date().toISOString()}`,
    "",
    `${cpus().length} cores (${cpus()[0]?.model.trim() ?? "unknown CPU"}), Node ${process.version}, ` +
      `${execFileSync(WORKERD, ["--version"], { encoding: "utf8" }).trim()}; ` +
      `${options.rounds} round(s) × ${options.secondsPerSlice} s per target and load, interleaved; ` +
      "JSON answers carry 64 output tokens, streams 64 chunks + usage. " +
      `Gateways: production code with the bench policy (${policyVersion}: no rate limits; credits reserved and ` +
      `settled on every request), one workerd process each; ledger data in ${storage.description}.` +
      (options.compare.length === 0
        ? ""
        : ` Compared builds: ${options.compare.map(({ name, dir }) => `${name} = ${dir}`).join(", ")}.`),
  ];
  // After the load, so the timing loop does not compete with the targets for the two cores.
  const decision = targets.some((t) => t.id === "gateway-do-router") ? measureRouterDecision() : undefined;
  const report = [
    renderReport({ targets, results, unavailable, header, notes }),
    ...renderFloors(targets, results),
    ...renderObservability(targets, results),
    ...renderRouterRow(targets, results, decision),
  ].join("\n");
  writeFileSync(join(OUT_DIR, "results.md"), report);
  console.log(report);
  log(`written to ${join(OUT_DIR, "results.md")}`);
}

main()
  .then(() => exitAfterChildren(0))
  .catch((error: unknown) => {
    console.error(`[bench] failed: ${message(error)}`);
    return exitAfterChildren(1);
  });
