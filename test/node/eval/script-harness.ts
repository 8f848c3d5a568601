/**
 * Runs an eval script (scripts/<name>.ts) as a user would, through tsx in a child process, on a tiny data set of
 * its own: shared by the end-to-end tests of `npm run eval:cache` and `npm run eval:cache:learned`.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../../..");
const TSX = join(ROOT, "node_modules", ".bin", "tsx");

export const SLOW = { timeout: 90_000 };

export interface ScriptRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runScript(script: string, args: string[]): Promise<ScriptRun> {
  return new Promise((done, fail) => {
    const child = spawn(TSX, [join(ROOT, "scripts", script), ...args], { cwd: ROOT });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.on("error", fail);
    child.on("close", (status) => done({ status, stdout, stderr }));
  });
}

const dirs: string[] = [];

/** A fresh temporary directory, removed by `removeTempDirs` (call it from afterAll). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/**
 * Writes a tiny evaluation data set in the shape of ../shared/data/cache: 8 duplicate and 8 non-duplicate QQP-style
 * pairs, and 16 arena-hard questions in 8 clusters (48 texts to embed).
 */
export function writeTinyData(dir: string): void {
  const topics = ["rice", "bread", "pasta", "soup", "salad", "cake", "tea", "coffee"];
  const rows = topics.flatMap((t, i) => [
    { a: `How do I cook ${t}?`, b: `What is the best way to cook ${t}?`, duplicate: true },
    { a: `Is ${t} healthy?`, b: `Is ${t} expensive in ${1990 + i}?`, duplicate: false },
  ]);
  writeFileSync(join(dir, "qqp-dev.jsonl"), rows.map((r) => JSON.stringify(r)).join("\n"));
  const arena = topics.flatMap((t, i) => [
    { uid: `${i}a`, category: "x", cluster: t, prompt: `Write a poem about ${t}.` },
    { uid: `${i}b`, category: "x", cluster: t, prompt: `Explain the history of ${t}.` },
  ]);
  writeFileSync(join(dir, "arena-hard-v0.1-questions.jsonl"), arena.map((r) => JSON.stringify(r)).join("\n"));
}

/** The cases every eval script must pass whatever it computes: no data is a clean skip, an unknown flag exit 2. */
export function commonScriptCases(run: (args: string[]) => Promise<ScriptRun>): void {
  it("skips with a clear message and exit 0 when the data is absent", SLOW, async () => {
    const res = await run(["--data", join(tmpdir(), "no-such-eval-data-dir")]);
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/evaluation data not found .*skipping/);
  });

  it("refuses unknown flags with exit 2", SLOW, async () => {
    const res = await run(["--nope"]);
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/unknown argument --nope/);
  });
}
