/**
 * Builds the gateway for the cache bench: bench/workers/gateway-entry.ts (the production Worker) bundled with the
 * cache bench's policy (bench/cache-policy/) instead of the overhead bench's, with the same esbuild options as
 * bench/build.ts.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { build } from "esbuild";
import { type BuiltWorker, WORKER_BUNDLE } from "./build";

const POLICY_DIR = "bench/cache-policy";
const GATEWAY_ENTRY = "bench/workers/gateway-entry.ts";

export async function buildCacheGateway(
  repoRoot: string,
  outDir: string,
): Promise<{ worker: BuiltWorker; policyVersion: string }> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const policyPath = join(outDir, "policy.json");
  execFileSync(
    join(repoRoot, "node_modules/.bin/tsx"),
    ["scripts/policy-build.ts", "--dir", POLICY_DIR, "--out", relative(repoRoot, policyPath)],
    { cwd: repoRoot, stdio: ["ignore", "ignore", "inherit"] },
  );
  const bundleDir = join(outDir, "gateway");
  await build({
    absWorkingDir: repoRoot,
    entryPoints: [join(repoRoot, GATEWAY_ENTRY)],
    outfile: join(bundleDir, "index.js"),
    ...WORKER_BUNDLE,
    logLevel: "silent",
    plugins: [
      {
        name: "cache-bench-policy",
        setup(b) {
          b.onResolve({ filter: /^bench:policy$/ }, () => ({ path: policyPath }));
        },
      },
    ],
  });
  const version = (JSON.parse(readFileSync(policyPath, "utf8")) as { version?: unknown }).version;
  return { worker: { bundleDir, mainModule: "index.js" }, policyVersion: typeof version === "string" ? version : "?" };
}
