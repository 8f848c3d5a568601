/**
 * `npm run bench [-- --quick]`: the gateway's added latency, throughput, CPU per request and stream time-to-first-
 * byte, against a direct call to the upstream and a bare Hono passthrough Worker, all sampled in one run.
 * Everything listens on 127.0.0.1; every child process is killed on exit.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { Agent } from "node:http";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type BuiltWorker, buildGateway, buildPassthrough, type GatewayBuild, readGatewaySettings } from "./build";
import { checkTarget, type Target } from "./http-client";
import { measure } from "./measure";
import { type BenchOptions, estimateSeconds, readOptions } from "./options";
import {
  exitAfterChildren,
  freePort,
  killChildrenOnExit,
  type RunningProcess,
  startUpstreamProcess,
  startWorkerd,
  type UpstreamProcess,
} from "./processes";
import { renderReport } from "./report";
import { STATS_PATH } from "./upstream";
import { type DurableObjectSpec, writeWorkerdConfig } from "./workerd-config";

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
const OUT_DIR = join(REPO_ROOT, "bench/.out");
const WORKERD = join(REPO_ROOT, "node_modules/.bin/workerd");
const CHAT_PATH = "/v1/chat/completions";

const log = (line: string) => console.error(`[bench] ${line}`);

interface WorkerToStart {
  name: string;
  built: BuiltWorker;
  vars: Record<string, string>;
  durableObjects?: DurableObjectSpec[];
}

async function startWorker(worker: WorkerToStart): Promise<{ process: RunningProcess; url: string }> {
  const port = await freePort();
  const { configPath, skippedDurableObjects } = writeWorkerdConfig(
    { ...worker.built, name: worker.name, port, vars: worker.vars, durableObjects: worker.durableObjects ?? [] },
    join(OUT_DIR, `${worker.name}.capnp`),
  );
  if (skippedDurableObjects.length > 0) {
    log(
      `${worker.name}: wrangler.toml names Durable Object classes the bundle does not export, left out: ${skippedDurableObjects.join(", ")}`,
    );
  }
  const base = `http://127.0.0.1:${port}`;
  const running = await startWorkerd(worker.name, WORKERD, configPath, `${base}/`, join(OUT_DIR, `${worker.name}.log`));
  return { process: running, url: `${base}${CHAT_PATH}` };
}

function target(id: Target["id"], label: string, url: string, cpuPid: number, apiKey: string): Target {
  return {
    id,
    label,
    url,
    cpuPid,
    headers: { authorization: `Bearer ${apiKey}` },
    agent: new Agent({ keepAlive: true, maxSockets: 1 }),
  };
}

/** Builds and starts the gateway; any failure becomes a reason to report instead of a crash. */
async function startGateway(
  options: BenchOptions,
  upstream: UpstreamProcess,
): Promise<{ ok: true; target: Target } | { ok: false; reason: string }> {
  let build: GatewayBuild;
  if (options.gatewayBundleDir) {
    log(`gateway: using the bundle in ${options.gatewayBundleDir} (BENCH_GATEWAY_BUNDLE)`);
    build = { ok: true, worker: { bundleDir: resolve(options.gatewayBundleDir), mainModule: "index.js" } };
  } else {
    log("building the gateway (wrangler deploy --dry-run)");
    build = await buildGateway(REPO_ROOT, join(OUT_DIR, "gateway"), join(OUT_DIR, "gateway-build.log"));
    if (!build.ok) return build;
  }
  try {
    const settings = readGatewaySettings(REPO_ROOT);
    const keyHash = createHash("sha256").update(options.apiKey).digest("hex");
    const vars = {
      ...settings.vars,
      // The example policy routes the `small` alias to provider local-origin with base_url ${LOCAL_ORIGIN_URL}.
      LOCAL_ORIGIN_URL: `${upstream.url}/v1`,
      GATEWAY_STATIC_KEYS: JSON.stringify([{ key_id: "bench", tenant: "acme", sha256: keyHash }]),
      MAX_BODY_BYTES: settings.vars.MAX_BODY_BYTES ?? "4194304",
    };
    const started = await startWorker({
      name: "gateway",
      built: build.worker,
      vars,
      durableObjects: settings.durableObjects,
    });
    return { ok: true, target: target("gateway", "gateway", started.url, started.process.pid, options.apiKey) };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2), process.env);
  killChildrenOnExit();
  setTimeout(() => {
    console.error(`[bench] hard time limit (${options.hardLimitSeconds} s) reached; stopping`);
    void exitAfterChildren(2);
  }, options.hardLimitSeconds * 1000).unref();
  mkdirSync(OUT_DIR, { recursive: true });
  const estimate = estimateSeconds(options.secondsPerSlice, options.rounds, options.warmupSeconds);
  log(`${options.rounds} round(s) × ${options.secondsPerSlice} s slices; about ${Math.round(estimate)} s of load`);

  const upstream = await startUpstreamProcess(join(OUT_DIR, "upstream.log"));
  log(`upstream on ${upstream.url} (pid ${upstream.pid})`);

  const [passthroughBuilt, gateway] = await Promise.all([
    buildPassthrough(REPO_ROOT, join(OUT_DIR, "passthrough")),
    startGateway(options, upstream),
  ]);
  const passthrough = await startWorker({
    name: "passthrough",
    built: passthroughBuilt,
    vars: { UPSTREAM_URL: upstream.url },
  });

  const targets = [
    target("direct", "direct", `${upstream.url}${CHAT_PATH}`, upstream.pid, options.apiKey),
    target("passthrough", "bare Hono passthrough", passthrough.url, passthrough.process.pid, options.apiKey),
  ];
  for (const t of targets) {
    const ready = await checkTarget(t);
    if (!ready.ok) throw new Error(`${t.label} does not work, so nothing can be compared: ${ready.reason}`);
  }
  const unavailable: { label: string; reason: string }[] = [];
  const gatewayReady = gateway.ok ? await checkTarget(gateway.target) : gateway;
  if (gateway.ok && gatewayReady.ok) {
    targets.push(gateway.target);
  } else {
    const reason = gatewayReady.ok ? "" : gatewayReady.reason;
    log(`gateway not ready: ${reason}`);
    unavailable.push({ label: "gateway", reason: `gateway not ready: ${reason}` });
  }

  const results = await measure(
    targets,
    {
      secondsPerSlice: options.secondsPerSlice,
      rounds: options.rounds,
      warmupSeconds: options.warmupSeconds,
      spreadRequests: options.spreadRequests,
      upstreamStatsUrl: `${upstream.url}${STATS_PATH}`,
    },
    log,
  );

  const header = [
    `## Gateway overhead — ${new Date().toISOString()}`,
    "",
    `${cpus().length} cores (${cpus()[0]?.model.trim() ?? "unknown CPU"}), Node ${process.version}, ` +
      `${execFileSync(WORKERD, ["--version"], { encoding: "utf8" }).trim()}; ` +
      `${options.rounds} round(s) × ${options.secondsPerSlice} s per target and load, interleaved; ` +
      "JSON answers carry 64 output tokens, streams 64 chunks + usage.",
  ];
  const report = renderReport({ targets, results, unavailable, header });
  writeFileSync(join(OUT_DIR, "results.md"), report);
  console.log(report);
  log(`written to ${join(OUT_DIR, "results.md")}`);
}

main()
  .then(() => exitAfterChildren(0))
  .catch((error: unknown) => {
    console.error(`[bench] failed: ${error instanceof Error ? error.message : String(error)}`);
    return exitAfterChildren(1);
  });
