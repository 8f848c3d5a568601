import { afterAll, describe, expect, it } from "vitest";
import { commonScriptCases, removeTempDirs, runScript, SLOW, tempDir, writeTinyData } from "./script-harness";

const run = (args: string[]) => runScript("eval-cache-learned.ts", args);
afterAll(removeTempDirs);

describe("scripts/eval-cache-learned.ts", () => {
  commonScriptCases(run);

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
