/**
 * `npx tsx bench/router-decision.ts`: CPU per learned-router decision with the shipped artifact
 * (policies/routers/auto.json), against a baseline measured in the same run (computing the lexical features alone).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { RouterArtifact } from "../src/policy/artifact-types";
import { LEXICAL_FEATURES, lexicalFeatures } from "../src/routing/router/features";
import { decideTier } from "../src/routing/router/score";

const artifact = JSON.parse(
  readFileSync(resolve(import.meta.dirname, "../policies/routers/auto.json"), "utf8"),
) as RouterArtifact;
const embedding = Float32Array.from({ length: artifact.embedder.dims }, (_, i) => Math.sin(i) / 16);
const text = "A train leaves at 3 pm travelling 60 km/h; another leaves at 4 pm at 80 km/h. When does it catch up?";
const facts = { text, estimatedTokens: 40, turns: 1, hasTools: false, hasResponseFormat: false };

function perCall(label: string, fn: () => unknown, n = 20_000): number {
  for (let i = 0; i < 2_000; i++) fn();
  const started = process.cpuUsage();
  for (let i = 0; i < n; i++) fn();
  const used = process.cpuUsage(started);
  const us = (used.user + used.system) / n;
  console.log(`| ${label} | ${us.toFixed(2)} µs |`);
  return us;
}

console.log("| step | CPU per request |\n| --- | --- |");
const base = perCall("lexical features only (baseline)", () => lexicalFeatures(facts, LEXICAL_FEATURES));
const full = perCall("decideTier (features + projection + logistic)", () =>
  decideTier(artifact, facts, embedding, "premium"),
);
console.log(
  `\nratio decision / baseline: ${(full / base).toFixed(1)}×; budget 200 µs: ${full < 200 ? "within" : "OVER"}`,
);
