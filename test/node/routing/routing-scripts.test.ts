import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANSWER_FEATURES } from "../../../src/policy/artifact-types";
import { parseRouterArtifact, parseVerifierArtifact } from "../../../src/policy/schema-artifact";
import { commonScriptCases, removeTempDirs, runScript, type ScriptRun, tempDir } from "../eval/script-harness";
import { TINY_EXPECTED, writeTinyRoutingData } from "./tiny-routing-data";

/**
 * `npm run eval:routing` and `npm run router:train` end to end, through tsx as a user runs them, on a tiny data set
 * whose baselines are known by hand (tiny-routing-data.ts), with the real USE-lite embedder (30 texts, embedded once:
 * both scripts share the cache directory).
 */

const SLOW = { timeout: 600_000 };
let data = "";
let cache = "";

beforeAll(() => {
  data = tempDir("routing-data-");
  cache = tempDir("routing-cache-");
  writeTinyRoutingData(data);
});
afterAll(removeTempDirs);

const evalRun = (args: string[]) => runScript("eval-routing.ts", args);
const trainRun = (args: string[]) => runScript("router-train.ts", args);

/** The `### <set>` section of the eval's output. */
function section(out: string, title: string): string {
  const start = out.indexOf(`### ${title}`);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = out.indexOf("###", start + 4);
  return out.slice(start, end < 0 ? undefined : end);
}

/** A verdict line is REACHED exactly when its share and its quality both meet their targets. */
function expectHonestVerdict(out: string, name: string, shareTarget: number): void {
  const line = out.split("\n").find((l) => l.includes(`${name} learned router`));
  const m = /(REACHED|NOT reached): .* ([\d.]+)% premium .* at ([\d.]+)% of premium accuracy/.exec(line ?? "");
  expect(m, `verdict line for ${name}`).not.toBeNull();
  const [, said, share, quality] = m as unknown as [string, string, string, string];
  const reached = Number(share) <= shareTarget && Number(quality) >= 95;
  expect(said).toBe(reached ? "REACHED" : "NOT reached");
}

describe("scripts/eval-routing.ts", () => {
  commonScriptCases(evalRun);

  let run: ScriptRun;
  it("prints the baselines of a tiny data set with their known values", SLOW, async () => {
    run = await evalRun(["--data", data, "--cache-dir", cache, "--folds", "2"]);
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/embedding with USE-lite: 30\/30/);
    const mmlu = section(run.stdout, "MMLU — 20 prompts, 4 subjects, whole subjects held out (2 folds)");
    const e = TINY_EXPECTED.mmlu;
    expect(mmlu).toContain(`| Premium model only | 100.0% | ${e.premiumAccuracy} | 100.0% |`);
    expect(mmlu).toContain(`| Cheap model only | 0.0% | ${e.cheapAccuracy} | ${e.cheapOfPremium} |`);
    expect(mmlu).toContain(`| Random routing (expected) | ${e.random} |`);
    expect(mmlu).toContain("| Best single model | 100.0% |");
    expect(mmlu).toContain(`| Oracle (knows the outcomes) | ${e.oracle} |`);
    expect(mmlu).toMatch(/\| \*\*Learned router\*\* \(threshold calibrated on other data\) \| [\d.]+% \|/);
    const gsm = section(run.stdout, "GSM8K — 10 problems, 2 folds");
    const g = TINY_EXPECTED.gsm8k;
    expect(gsm).toContain(`| Premium model only | 100.0% | ${g.premiumAccuracy} |`);
    expect(gsm).toContain(`| Cheap model only | 0.0% | ${g.cheapAccuracy} |`);
    expect(gsm).toContain(`| Random routing (expected) | ${g.random} |`);
    expect(gsm).toContain(`| Oracle (knows the outcomes) | ${g.oracle} |`);
    // Each wrong cheap answer states a wrong step, so the verifier's arithmetic check escalates exactly those five
    // (as the Worker would, whatever the model says); the five right ones are kept: 50% escalated, all correct.
    expect(gsm).toContain(
      `| **Cascade** (cheap first, verifier escalates) (pays every cheap call) | ${g.cascadeEscalated} | ${g.premiumAccuracy} | 100.0% |`,
    );
    expectHonestVerdict(run.stdout, "MMLU", 55);
    expectHonestVerdict(run.stdout, "GSM8K", 65);
    expect(run.stdout).toMatch(/(REACHED|NOT reached): GSM8K cascade/);
  });

  it("a second run reads every embedding from the cache", SLOW, async () => {
    const again = await evalRun(["--data", data, "--cache-dir", cache, "--folds", "2"]);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain("all embeddings from the cache");
    // Seeded: the same numbers.
    expect(section(again.stdout, "MMLU")).toBe(section(run.stdout, "MMLU"));
  });
});

describe("scripts/router-train.ts", () => {
  commonScriptCases(trainRun);

  it(
    "writes router and verifier artifacts that pass the policy build's parser, with their training record",
    SLOW,
    async () => {
      const out = tempDir("routing-artifacts-");
      const router = join(out, "routers", "tiny.json");
      const verifier = join(out, "verifiers", "tiny.json");
      const args = ["--data", data, "--cache-dir", cache, "--folds", "2", "--out", router, "--verifier-out", verifier];
      const res = await trainRun(args);
      expect(res.status).toBe(0);
      const r = parseRouterArtifact(readFileSync(router, "utf8"));
      const v = parseVerifierArtifact(readFileSync(verifier, "utf8"));
      if (!r.ok || !v.ok) throw new Error(`invalid artifact: ${JSON.stringify([r, v])}`);
      expect(r.artifact.embedder).toEqual({ model: "local-embed", dims: 512 });
      expect(r.artifact.training.rows).toBe(TINY_EXPECTED.rows);
      expect(r.artifact.training.quality_target).toBe(0.95);
      expect(r.artifact.training.data_sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(r.artifact.threshold).toBeGreaterThanOrEqual(0);
      expect(r.artifact.threshold).toBeLessThanOrEqual(1);
      expect(v.artifact.training.rows).toBe(10);
      expect(v.artifact.features.embedding).toBe(false);
      expect(v.artifact.features.answer).toEqual([...ANSWER_FEATURES]);
      // The same data and seed: the same artifact (but for the time it was trained).
      const first = readFileSync(router, "utf8");
      expect((await trainRun(args)).status).toBe(0);
      const stamp = (s: string) => s.replace(/"trained_at":"[^"]*"/, "");
      expect(stamp(readFileSync(router, "utf8"))).toBe(stamp(first));
    },
  );
});
