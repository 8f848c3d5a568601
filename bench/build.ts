/**
 * Builds the Workers under test into bench/.out/ with esbuild: the bare Hono passthrough, and the gateway (the
 * production code with the bench's rate-limit-free policy, see bench/workers/gateway-entry.ts).
 */
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { type BuildOptions, build } from "esbuild";
import { unstable_getDurableObjectClassNameToUseSQLiteMap, unstable_readConfig } from "wrangler";
import { track } from "./processes";
import type { DurableObjectSpec } from "./workerd-config";

/** esbuild settings that bundle the gateway the way wrangler does for workerd (shared by every bench build). */
export const WORKER_BUNDLE = {
  bundle: true,
  format: "esm",
  target: "es2024",
  conditions: ["workerd", "worker", "browser"],
  keepNames: true,
  define: { "process.env.NODE_ENV": '"production"' },
  // Runtime modules: workerd provides them (wrangler leaves them external too).
  external: ["node:*", "cloudflare:*"],
} as const satisfies BuildOptions;

export interface BuiltWorker {
  bundleDir: string;
  mainModule: string;
}

/** `entry`: bench/workers/passthrough.ts (the bare passthrough) or passthrough-read.ts (reads the body in JS). */
export async function buildPassthrough(
  repoRoot: string,
  outDir: string,
  entry = "bench/workers/passthrough.ts",
): Promise<BuiltWorker> {
  rmSync(outDir, { recursive: true, force: true });
  await build({
    entryPoints: [join(repoRoot, entry)],
    outfile: join(outDir, "index.js"),
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    // passthrough-do.ts declares a Durable Object: `cloudflare:workers` is the runtime's.
    external: ["cloudflare:*"],
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    logLevel: "warning",
  });
  return { bundleDir: outDir, mainModule: "index.js" };
}

export type GatewayBuild = { ok: true; worker: BuiltWorker; policyVersion: string } | { ok: false; reason: string };

/** The bench policy (rate-limit free), compiled by the project's own policy build into `<outDir>/../policy.json`. */
const BENCH_POLICY_DIR = "bench/policies";
const GATEWAY_ENTRY = "bench/workers/gateway-entry.ts";
/** The same gateway with its ledger store replaced by a no-op (a measurement, never shipped). */
export const NOOP_GATEWAY_ENTRY = "bench/workers/gateway-noop-entry.ts";
/** The production entry: the bench entry must export the same names (Durable Object classes and the handler). */
const PRODUCTION_ENTRY = "src/index.ts";

/** Learned artifacts the bench policy uses from the project's own policies (not copied into bench/policies/). */
const SHARED_ARTIFACT_DIRS = ["routers"];

/**
 * The policy directory the bench compiles: the bench's YAML plus the project's router artifacts (the learned-router
 * row uses the shipped policies/routers/auto.json, ~700 KB, so it is staged at build time rather than kept twice).
 * A checkout without them (an old BENCH_COMPARE build) compiles its bench policy as it is.
 */
function stagePolicy(repoRoot: string, policyDir: string, stageDir: string): string {
  const shared = SHARED_ARTIFACT_DIRS.filter((d) => existsSync(join(repoRoot, "policies", d)));
  if (shared.length === 0) return join(repoRoot, policyDir);
  rmSync(stageDir, { recursive: true, force: true });
  cpSync(join(repoRoot, policyDir), stageDir, { recursive: true });
  for (const d of shared) cpSync(join(repoRoot, "policies", d), join(stageDir, d), { recursive: true });
  return stageDir;
}

/**
 * Builds the gateway the bench measures: the production Worker code with the bench policy. Steps: compile
 * bench/policies/ with scripts/policy-build.ts (the same validation a deploy runs), then bundle
 * bench/workers/gateway-entry.ts with esbuild using wrangler's bundling options for this project (ESM, es2024,
 * workerd/worker/browser conditions, the checkout's `keep_names`, NODE_ENV=production, node:* and cloudflare:* left to the runtime).
 * Never throws: a gateway that does not build is reported, and the other targets still run. Output goes to `logPath`.
 */
export async function buildGateway(
  repoRoot: string,
  outDir: string,
  logPath: string,
  policyDir = BENCH_POLICY_DIR,
  entry = GATEWAY_ENTRY,
): Promise<GatewayBuild> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const policyPath = join(dirname(outDir), "policy.json");
  const tsx = join(repoRoot, "node_modules/.bin/tsx");
  const staged = stagePolicy(repoRoot, policyDir, join(dirname(outDir), "policy-src"));
  const compiled = await run(
    tsx,
    ["scripts/policy-build.ts", "--dir", relative(repoRoot, staged), "--out", relative(repoRoot, policyPath)],
    repoRoot,
  );
  writeFileSync(logPath, stripAnsi(compiled.output));
  if (compiled.code !== 0) {
    return { ok: false, reason: `bench policy build failed: ${errorLines(compiled.output)} (full output: ${logPath})` };
  }
  try {
    const result = await build({
      absWorkingDir: repoRoot,
      entryPoints: [join(repoRoot, entry)],
      outfile: join(outDir, "index.js"),
      ...WORKER_BUNDLE,
      // As `wrangler deploy` bundles this checkout: its wrangler.toml's `keep_names` (wrangler's default: true).
      keepNames: readGatewaySettings(repoRoot).keepNames,
      metafile: true,
      logLevel: "silent",
      plugins: [
        {
          name: "bench-policy",
          setup(b) {
            b.onResolve({ filter: /^bench:policy$/ }, () => ({ path: policyPath }));
          },
        },
      ],
    });
    const missing = await missingExports(repoRoot, Object.values(result.metafile.outputs)[0]?.exports ?? []);
    if (missing.length > 0) {
      return {
        ok: false,
        reason: `${entry} does not export ${missing.join(", ")}, which ${PRODUCTION_ENTRY} does: mirror them`,
      };
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    writeFileSync(logPath, `${stripAnsi(compiled.output)}\n${message}\n`);
    return { ok: false, reason: `gateway bundle failed: ${oneLineError(message)} (full output: ${logPath})` };
  }
  const version = (JSON.parse(readFileSync(policyPath, "utf8")) as { version?: unknown }).version;
  return {
    ok: true,
    worker: { bundleDir: outDir, mainModule: "index.js" },
    policyVersion: typeof version === "string" ? version : "unknown",
  };
}

/** Names src/index.ts exports that the bench entry's bundle does not. */
async function missingExports(repoRoot: string, benchExports: string[]): Promise<string[]> {
  // Not bundled: only the entry's own export list matters, and its policy JSON may not be generated yet.
  const production = await build({
    absWorkingDir: repoRoot,
    entryPoints: [join(repoRoot, PRODUCTION_ENTRY)],
    outdir: join(repoRoot, "bench/.out/export-check"),
    bundle: false,
    write: false,
    format: "esm",
    metafile: true,
    logLevel: "silent",
  });
  const wanted = Object.values(production.metafile.outputs)[0]?.exports ?? [];
  const have = new Set(benchExports);
  return wanted.filter((name) => !have.has(name));
}

function oneLineError(message: string): string {
  return message.split("\n").slice(0, 4).join(" / ");
}

export interface GatewaySettings {
  /** [vars] of wrangler.toml: the deployed Worker has them, so the bench Worker gets them too. */
  vars: Record<string, string>;
  durableObjects: DurableObjectSpec[];
  /** `keep_names` of wrangler.toml (wrangler's default when absent: true). */
  keepNames: boolean;
}

/** Reads what a `wrangler deploy` would bind besides code: vars and Durable Object namespaces. */
export function readGatewaySettings(repoRoot: string): GatewaySettings {
  const config = unstable_readConfig({ config: join(repoRoot, "wrangler.toml") }, { hideWarnings: true });
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(config.vars)) {
    vars[name] = typeof value === "string" ? value : JSON.stringify(value);
  }
  const sqliteClasses = unstable_getDurableObjectClassNameToUseSQLiteMap(config.migrations);
  const bindings: { name: string; class_name: string; script_name?: string }[] = config.durable_objects.bindings;
  const durableObjects = bindings
    // Classes of other scripts would need those scripts running too; the bench serves only this one.
    .filter((binding) => binding.script_name === undefined)
    .map((binding) => ({
      binding: binding.name,
      className: binding.class_name,
      sql: sqliteClasses.get(binding.class_name) === true,
    }));
  return { vars, durableObjects, keepNames: config.keep_names ?? true };
}

function run(command: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group, so that stopping the bench also stops what it started.
      detached: true,
    });
    track(child, { group: true });
    let output = "";
    child.stdout.on("data", (part: Buffer) => {
      output += part.toString();
    });
    child.stderr.on("data", (part: Buffer) => {
      output += part.toString();
    });
    child.once("error", (error) => resolve({ code: -1, output: String(error) }));
    child.once("close", (code) => resolve({ code: code ?? -1, output }));
  });
}

/** The error lines of a build command's output, without stack frames. */
function errorLines(output: string): string {
  const lines = output.split("\n").map((line) => line.trim());
  const picked = lines.filter((line) => /\[ERROR\]|^stderr: |^Error:/.test(line));
  return (picked.length > 0 ? picked : lines.filter(Boolean).slice(-5)).slice(0, 6).join(" / ");
}

function stripAnsi(text: string): string {
  return text.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g"), "");
}
