import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { removeTempDirs, runScript, SLOW, tempDir, writeTinyData } from "./script-harness";

const run = (args: string[]) => runScript("eval-cache-learned.ts", args);
afterAll(removeTempDirs);

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
    const data = tempDir("eval-learned-data-");
    const cache = tempDir("eval-learned-cache-");
    writeTinyData(data);
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
