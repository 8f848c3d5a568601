import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { removeTempDirs, runScript, SLOW, tempDir, writeTinyData } from "./script-harness";

const run = (args: string[]) => runScript("eval-cache.ts", args);
afterAll(removeTempDirs);

describe("scripts/eval-cache.ts", () => {
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

  it("runs end to end on a tiny data set with the real embedder and prints the README table", SLOW, async () => {
    const data = tempDir("eval-data-");
    const cache = tempDir("eval-cache-");
    writeTinyData(data);
    const res = await run(["--data", data, "--cache-dir", cache, "--target-fhr", "0.2", "--z", "0"]);
    expect(res.stderr).toMatch(/embedding with USE-lite: 48\/48/);
    expect(res.status).toBe(0);
    expect(res.stdout).toContain("| Best single global cosine threshold at ≤ 20% false hits |");
    expect(res.stdout).toContain("| Shipped decision (`decideHit`) |");
    expect(res.stdout).toContain("False hits, Wilson upper bound (z 0)");
    expect(res.stdout).toMatch(/Target: (REACHED|NOT reached)/);
    expect(res.stdout).not.toContain("WARNING");
    // Second run: everything from the cache.
    const again = await run(["--data", data, "--cache-dir", cache, "--target-fhr", "0.2", "--z", "0"]);
    expect(again.stdout).toContain("all embeddings from the cache");
  });
});
