import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../../..");
const TSX = join(ROOT, "node_modules", ".bin", "tsx");

function run(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(TSX, [join(ROOT, "scripts", "eval-cache-learned.ts"), ...args], { cwd: ROOT });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.on("error", fail);
    child.on("close", (status) => done({ status, stdout, stderr }));
  });
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const SLOW = { timeout: 90_000 };

describe("scripts/eval-cache-learned.ts", () => {
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

  it("trains, measures and prints every row on a tiny data set with the real embedder", SLOW, async () => {
    const data = mkdtempSync(join(tmpdir(), "eval-learned-data-"));
    const cache = mkdtempSync(join(tmpdir(), "eval-learned-cache-"));
    dirs.push(data, cache);
    const topics = ["rice", "bread", "pasta", "soup", "salad", "cake", "tea", "coffee"];
    const rows = topics.flatMap((t, i) => [
      { a: `How do I cook ${t}?`, b: `What is the best way to cook ${t}?`, duplicate: true },
      { a: `Is ${t} healthy?`, b: `Is ${t} expensive in ${1990 + i}?`, duplicate: false },
    ]);
    writeFileSync(join(data, "qqp-dev.jsonl"), rows.map((r) => JSON.stringify(r)).join("\n"));
    const arena = topics.flatMap((t, i) => [
      { uid: `${i}a`, category: "x", cluster: t, prompt: `Write a poem about ${t}.` },
      { uid: `${i}b`, category: "x", cluster: t, prompt: `Explain the history of ${t}.` },
    ]);
    writeFileSync(join(data, "arena-hard-v0.1-questions.jsonl"), arena.map((r) => JSON.stringify(r)).join("\n"));
    const res = await run(["--data", data, "--cache-dir", cache, "--target-fhr", "0.2", "--z", "0", "--seeds", "2"]);
    expect(res.status).toBe(0);
    for (const name of ["Best single global cosine threshold", "Shipped decision", "Learned: boosted trees"]) {
      expect(res.stdout).toContain(`| ${name}`);
    }
    expect(res.stdout).toContain("Across 2 split seeds");
    expect(res.stdout).toMatch(/3× the global threshold on this test half needs/);
    expect(res.stdout).toMatch(/QQP label-noise floor/);
  });
});
