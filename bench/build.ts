/**
 * Builds the two Workers under test into bench/.out/: the bare Hono passthrough with esbuild, and the gateway exactly
 * as it deploys (`wrangler deploy --dry-run --outdir`, which runs the policy build step first).
 */
import { spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { unstable_getDurableObjectClassNameToUseSQLiteMap, unstable_readConfig } from "wrangler";
import { track } from "./processes";
import type { DurableObjectSpec } from "./workerd-config";

export interface BuiltWorker {
  bundleDir: string;
  mainModule: string;
}

export async function buildPassthrough(repoRoot: string, outDir: string): Promise<BuiltWorker> {
  rmSync(outDir, { recursive: true, force: true });
  await build({
    entryPoints: [join(repoRoot, "bench/workers/passthrough.ts")],
    outfile: join(outDir, "index.js"),
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    logLevel: "warning",
  });
  return { bundleDir: outDir, mainModule: "index.js" };
}

export type GatewayBuild = { ok: true; worker: BuiltWorker } | { ok: false; reason: string };

/**
 * Never throws: a gateway that does not build yet is reported, and the other targets still run. Wrangler's whole
 * output goes to `logPath`; the reason keeps only its error lines.
 */
export async function buildGateway(repoRoot: string, outDir: string, logPath: string): Promise<GatewayBuild> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const wrangler = join(repoRoot, "node_modules/.bin/wrangler");
  const result = await run(wrangler, ["deploy", "--dry-run", "--outdir", outDir], repoRoot);
  const output = stripAnsi(result.output);
  writeFileSync(logPath, output);
  if (result.code !== 0) {
    return { ok: false, reason: `build failed: ${errorLines(output)} (full output: ${logPath})` };
  }
  return { ok: true, worker: { bundleDir: outDir, mainModule: "index.js" } };
}

export interface GatewaySettings {
  /** [vars] of wrangler.toml: the deployed Worker has them, so the bench Worker gets them too. */
  vars: Record<string, string>;
  durableObjects: DurableObjectSpec[];
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
  return { vars, durableObjects };
}

function run(command: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group, so that stopping the bench also stops what wrangler started.
      detached: true,
      // Offline machine: no Request.cf download, no telemetry.
      env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
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

/** Wrangler's own error lines and whatever the build command wrote to stderr, without stack frames. */
function errorLines(output: string): string {
  const lines = output.split("\n").map((line) => line.trim());
  const picked = lines.filter((line) => /\[ERROR\]|^stderr: |^Error:/.test(line));
  return (picked.length > 0 ? picked : lines.filter(Boolean).slice(-5)).slice(0, 6).join(" / ");
}

function stripAnsi(text: string): string {
  return text.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g"), "");
}
