import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { commonScriptCases, removeTempDirs, runScript, SLOW, tempDir, writeTinyData } from "./script-harness";

const run = (args: string[]) => runScript("eval-cache.ts", args);
afterAll(removeTempDirs);

describe("scripts/eval-cache.ts", () => {
  commonScriptCases(run);

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

  it("reports the shipped decision as shipped, and a paraphrase set it never calibrates on", SLOW, async () => {
    const data = tempDir("eval-data-");
    const cache = tempDir("eval-cache-");
    writeTinyData(data);
    const rows = [
      { origin: "Install the package with pip.", similar: "Use pip to install the package." },
      { origin: "The function returns a list of rows.", similar: "A list of rows is what the function returns." },
      { origin: "Set the timeout to ten seconds.", similar: "Configure a ten second timeout." },
      { origin: "Shuffling is exact for map datasets.", similar: "Map datasets shuffle exactly." },
    ];
    writeFileSync(join(data, "gptcache-paraphrases-dev.json"), JSON.stringify(rows));
    const res = await run(["--data", data, "--cache-dir", cache, "--target-fhr", "0.2", "--z", "0"]);
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(
      /\| Shipped decision \*\*as shipped\*\* \(`DEFAULT_CACHE_DECISION`, threshold not recalibrated\) \| [\d.]+% \(\d+\/\d+\) \|/,
    );
    expect(res.stdout).toContain("Paraphrase set (8 pairs: 4 GPTCache paraphrases, 4 same-style negatives");
    expect(res.stdout).toMatch(/\| shipped decision as shipped \| [\d.]+% \(\d\/4\) \| [\d.]+% \(\d\/4\) \|/);
    expect(res.stdout).toMatch(/\| single global cosine threshold \| [\d.]+% \(\d\/4\) \|/);
  });
});
