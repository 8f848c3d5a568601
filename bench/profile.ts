/**
 * CPU profile of the gateway under load, to find what to optimise: builds the Worker as the bench does (production
 * code, bench policy without rate limits), serves it under plain workerd with the inspector on, funds the bench
 * account, drives JSON (or SSE with PROFILE_STREAM=1) requests with autocannon, records a V8 CPU profile over the
 * Chrome DevTools protocol, and prints the functions with the most self time.
 *
 *   npx tsx bench/profile.ts            # JSON requests, 5 s at concurrency 16, Durable Object ledger
 *   PROFILE_STREAM=1 npx tsx bench/profile.ts
 *   PROFILE_LEDGER=upstash npx tsx bench/profile.ts   # Upstash ledger (local redis-server + REST front)
 *   PROFILE_CONNECTIONS=1 PROFILE_TOP=40 ...          # concurrency (default 16), rows printed (default 25)
 *   PROFILE_MODEL=auto-learned ...                    # the learned router's route (default: small)
 *   PROFILE_LEDGER=noop npx tsx bench/profile.ts      # the ledger store replaced by a no-op (the gateway alone)
 *
 * Ledger data lives in RAM (/dev/shm) unless BENCH_STORAGE_DIR names a directory, as in the bench.
 *
 * The raw profile is written to bench/.out/gateway.cpuprofile (open it in Chrome DevTools > Performance).
 */
import { spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import autocannon, { type Result } from "autocannon";
import WebSocket from "ws";
import { buildGateway, NOOP_GATEWAY_ENTRY, readGatewaySettings } from "./build";
import { killChildrenOnExit, startUpstashProcess, stopChildren } from "./processes";
import { ledgerStorage } from "./storage";
import { fundBenchAccount, gatewayVars, newAdminSecret } from "./targets";
import { startUpstream } from "./upstream";
import { writeWorkerdConfig } from "./workerd-config";

const OUT = resolve("bench/.out");
/** A bootstrap static key (a `gw_…` key would be looked up in the key store, where it does not exist). */
const KEY = "profile-static-0123456789abcdef0123456789ab";
const stream = process.env.PROFILE_STREAM === "1";
const seconds = Number(process.env.PROFILE_SECONDS ?? 5);
const connections = Number(process.env.PROFILE_CONNECTIONS ?? 16);
const top = Number(process.env.PROFILE_TOP ?? 25);
/** PROFILE_MODEL=auto-learned profiles the learned router's route (bench/policies/bench.yaml). */
const profiledModel = process.env.PROFILE_MODEL ?? "small";
const upstashLedger = process.env.PROFILE_LEDGER === "upstash";
const noopLedger = process.env.PROFILE_LEDGER === "noop";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

async function cdp(port: number) {
  const list = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as { webSocketDebuggerUrl: string }[];
  const target = list[0]?.webSocketDebuggerUrl;
  if (!target) throw new Error("no inspector target");
  const ws = new WebSocket(target);
  await new Promise<void>((r) => ws.once("open", () => r()));
  let id = 0;
  const pending = new Map<number, (v: unknown) => void>();
  ws.on("message", (data) => {
    const msg = JSON.parse(String(data)) as { id?: number; result?: unknown };
    if (msg.id !== undefined) pending.get(msg.id)?.(msg.result);
  });
  const send = (method: string, params: object = {}) =>
    new Promise<unknown>((r) => {
      const n = ++id;
      pending.set(n, r);
      ws.send(JSON.stringify({ id: n, method, params }));
    });
  return { send, close: () => ws.close() };
}

function nameOf(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || "(anonymous)"} ${url.split("/").pop() ?? ""}:${lineNumber + 1}`;
}

/** Inclusive samples per function name, counting each sample once per name even under recursion. */
function inclusive(nodes: ProfileNode[]): Map<string, number> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const out = new Map<string, number>();
  const walk = (node: ProfileNode, onStack: Set<string>): number => {
    let hits = node.hitCount ?? 0;
    const name = nameOf(node);
    const fresh = !onStack.has(name);
    if (fresh) onStack.add(name);
    for (const child of node.children ?? []) {
      const c = byId.get(child);
      if (c) hits += walk(c, onStack);
    }
    if (fresh) {
      onStack.delete(name);
      out.set(name, (out.get(name) ?? 0) + hits);
    }
    return hits;
  };
  const root = nodes[0];
  if (root) walk(root, new Set());
  return out;
}

async function main() {
  killChildrenOnExit();
  mkdirSync(OUT, { recursive: true });
  const upstream = await startUpstream(0);
  const bundle = await buildGateway(
    resolve("."),
    join(OUT, "gateway"),
    join(OUT, "gateway-build.log"),
    undefined,
    noopLedger ? NOOP_GATEWAY_ENTRY : undefined,
  );
  if (!bundle.ok) throw new Error(`build failed: ${bundle.reason}`);
  const settings = readGatewaySettings(resolve("."));
  const adminSecret = newAdminSecret();
  const vars = gatewayVars({ settings, upstreamUrl: upstream.url, apiKey: KEY, adminSecret });
  // As in the bench: ledger data in RAM unless BENCH_STORAGE_DIR says where.
  const storage = ledgerStorage(process.env.BENCH_STORAGE_DIR || undefined, OUT);
  if (upstashLedger) {
    const dir = join(storage.dir, "upstash-redis-profile");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const upstash = await startUpstashProcess(join(OUT, "upstash-profile.log"), dir);
    Object.assign(vars, {
      LEDGER_BACKEND: "upstash",
      UPSTASH_REDIS_REST_URL: upstash.url,
      UPSTASH_REDIS_REST_TOKEN: upstash.token,
    });
  }
  const port = 18787;
  const inspector = 19229;
  const { configPath } = writeWorkerdConfig(
    {
      name: "gateway-profile",
      bundleDir: join(OUT, "gateway"),
      mainModule: "index.js",
      port,
      vars,
      durableObjects: settings.durableObjects,
      durableObjectDir: join(storage.dir, "gateway-profile-do-storage"),
    },
    join(OUT, "gateway-profile.capnp"),
  );
  const workerd = spawn(
    resolve("node_modules/.bin/workerd"),
    ["serve", configPath, `--inspector-addr=127.0.0.1:${inspector}`],
    {
      stdio: "inherit",
    },
  );
  try {
    await new Promise((r) => setTimeout(r, 1500));
    const funding = await fundBenchAccount(`http://127.0.0.1:${port}`, adminSecret);
    if (funding !== undefined) throw new Error(funding);
    const body = JSON.stringify({ model: profiledModel, stream, messages: [{ role: "user", content: "Say hello" }] });
    const load = (duration: number) =>
      new Promise<Result>((resolveRun, reject) => {
        autocannon(
          {
            url: `http://127.0.0.1:${port}/v1/chat/completions`,
            method: "POST",
            connections,
            duration,
            headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
            body,
          },
          (err, result) => (err ? reject(err) : resolveRun(result)),
        );
      });
    const warm = await load(2);
    if (warm.non2xx > 0) throw new Error(`gateway answered ${warm.non2xx} non-2xx responses`);
    const session = await cdp(inspector);
    await session.send("Profiler.enable");
    await session.send("Profiler.setSamplingInterval", { interval: 100 });
    await session.send("Profiler.start");
    const result = await load(seconds);
    const { profile } = (await session.send("Profiler.stop")) as { profile: { nodes: ProfileNode[] } };
    session.close();
    writeFileSync(join(OUT, "gateway.cpuprofile"), JSON.stringify(profile));
    const self = new Map<string, number>();
    let total = 0;
    for (const node of profile.nodes) {
      const hits = node.hitCount ?? 0;
      total += hits;
      const name = nameOf(node);
      self.set(name, (self.get(name) ?? 0) + hits);
    }
    console.log(
      `${result.requests.total} requests, ${(result.requests.total / result.duration).toFixed(0)} req/s; top self time:`,
    );
    for (const [name, hits] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`${((100 * hits) / total).toFixed(1).padStart(5)}%  ${name}`);
    }
    console.log("top inclusive time (a function's own time plus its callees'):");
    for (const [name, hits] of [...inclusive(profile.nodes)].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`${((100 * hits) / total).toFixed(1).padStart(5)}%  ${name}`);
    }
  } finally {
    workerd.kill("SIGKILL");
    await upstream.close();
    await stopChildren();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
