import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CompiledPolicy } from "../../../src/policy/types";
import { BASE, edit, REPO_ROOT } from "./helpers";

const TSX = path.join(REPO_ROOT, "node_modules", ".bin", "tsx");

interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(script: string, args: string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [path.join(REPO_ROOT, "scripts", script), ...args], { cwd: REPO_ROOT });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

// Each spawn pays tsx's start-up (seconds on a busy machine): run them side by side, with a generous timeout.
const SLOW = { timeout: 60_000, concurrent: true };

const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function policyDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "policy-build-"));
  temporary.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

describe("scripts/policy-build.ts", SLOW, () => {
  it("writes the compiled policy and prints a summary (exit 0)", async () => {
    const dir = policyDir(BASE);
    const out = path.join(dir, "nested", "out", "policy.json");
    const result = await run("policy-build.ts", ["--dir", dir, "--out", out]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^policy sha256:[0-9a-f]{16}: 3 files, 2 providers, 3 models, 1 routes, 1 tenants/);
    const policy = JSON.parse(readFileSync(out, "utf8")) as CompiledPolicy;
    expect(result.stdout).toContain(policy.version);
    expect(Object.keys(policy.models)).toEqual(["small", "large", "embed"]);
  });

  it("refuses an invalid directory: errors on stderr, exit 1, nothing written", async () => {
    const dir = policyDir(edit("models.yaml", "provider: openai", "provider: opnai"));
    const out = path.join(dir, "policy.json");
    const result = await run("policy-build.ts", ["--dir", dir, "--out", out]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/models\.yaml:13: models\.large\.targets\[0\]\.provider: unknown provider "opnai"/);
    expect(result.stderr).toContain("1 error, nothing written");
    expect(existsSync(out)).toBe(false);
  });

  it("leaves an earlier output untouched when the policy turns invalid", async () => {
    const dir = policyDir(BASE);
    const out = path.join(dir, "policy.json");
    expect((await run("policy-build.ts", ["--dir", dir, "--out", out])).status).toBe(0);
    const before = readFileSync(out, "utf8");
    writeFileSync(path.join(dir, "routes.yaml"), "routes:\n  auto:\n    modles: [small]\n");
    expect((await run("policy-build.ts", ["--dir", dir, "--out", out])).status).toBe(1);
    expect(readFileSync(out, "utf8")).toBe(before);
  });

  it("--check validates without writing", async () => {
    const dir = policyDir(BASE);
    const out = path.join(dir, "policy.json");
    const result = await run("policy-build.ts", ["--check", "--dir", dir, "--out", out]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("check only");
    expect(existsSync(out)).toBe(false);
  });

  it("refuses a directory without policy files", async () => {
    const dir = policyDir({ "README.md": "# nothing\n" });
    const result = await run("policy-build.ts", ["--check", "--dir", dir]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/no \*\.yaml or \*\.yml files/);
  });

  it("compiles the repository's policies/ with no arguments (check mode, so the tree is not touched)", async () => {
    const result = await run("policy-build.ts", ["--check"]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^policy sha256:[0-9a-f]{16}: \d+ files, /);
  });
});

describe("scripts/policy-docs.ts", SLOW, () => {
  it("docs/policy-reference.md matches the schema (run `npm run policy:docs` after changing it)", async () => {
    const result = await run("policy-docs.ts", ["--check"]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });
});
