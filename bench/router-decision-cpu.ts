/**
 * CPU per learned-router decision with the shipped artifact (policies/routers/auto.json), against a baseline in the
 * same process and moment (computing the lexical features alone). Used by `bench/router-decision.ts` and by the
 * bench's learned-router section (bench/router-row.ts).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { RouterArtifact } from "../src/policy/artifact-types";
import { LEXICAL_FEATURES, lexicalFeatures } from "../src/routing/router/features";
import { decideTier } from "../src/routing/router/score";

export const ROUTER_ARTIFACT = resolve(import.meta.dirname, "../policies/routers/auto.json");

const TEXT = "A train leaves at 3 pm travelling 60 km/h; another leaves at 4 pm at 80 km/h. When does it catch up?";

function perCall(fn: () => unknown, n: number): number {
  for (let i = 0; i < Math.min(2_000, n); i++) fn();
  const started = process.cpuUsage();
  for (let i = 0; i < n; i++) fn();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / n;
}

export interface DecisionCpu {
  /** µs per call: lexical features alone. */
  baseline: number;
  /** µs per call: `decideTier` (features, projection of the embedding, logistic). */
  decision: number;
  components: number;
}

export function measureRouterDecision(n = 20_000): DecisionCpu {
  const artifact = JSON.parse(readFileSync(ROUTER_ARTIFACT, "utf8")) as RouterArtifact;
  const embedding = Float32Array.from({ length: artifact.embedder.dims }, (_, i) => Math.sin(i) / 16);
  const facts = { text: TEXT, estimatedTokens: 40, turns: 1, hasTools: false, hasResponseFormat: false };
  const baseline = perCall(() => lexicalFeatures(facts, LEXICAL_FEATURES), n);
  const decision = perCall(() => decideTier(artifact, facts, embedding, "premium"), n);
  return { baseline, decision, components: artifact.model.projection?.length ?? 0 };
}
