import { describe, expect, it } from "vitest";
import type { RouterArtifact, VerifierArtifact } from "../../../src/policy/artifact-types";
import { checkArithmetic } from "../../../src/routing/router/arithmetic";
import { decideTier } from "../../../src/routing/router/score";
import { scoreVerifier } from "../../../src/routing/router/verifier";

const training = {
  data_sha256: "0".repeat(64),
  rows: 1,
  source: "test",
  trained_at: "2026-12-03T00:00:00Z",
  quality_target: 0.95,
  eval: {},
};

// Score = sigmoid(2 * e[0] + 1 * tools): a 2-d embedding space and one lexical feature, so every case is by hand.
const ROUTER: RouterArtifact = {
  kind: "router",
  format: 1,
  embedder: { model: "m", dims: 2 },
  features: { embedding: true, lexical: ["tools"] },
  model: { type: "logistic", mean: [0, 0, 0], scale: [1, 1, 1], weights: [2, 0, 1], bias: 0 },
  threshold: 0.6,
  training,
};

const facts = (hasTools: boolean) => ({ text: "hi", estimatedTokens: 5, turns: 1, hasTools, hasResponseFormat: false });

describe.each([
  ["cheap below the threshold", [0, 1], false, { tier: "cheap", score: 0.5, decidedBy: "router" }],
  ["premium from the embedding", [1, 0], false, { tier: "premium", score: 0.8808, decidedBy: "router" }],
  ["premium from a lexical feature", [0, 0], true, { tier: "premium", score: 0.7311, decidedBy: "router" }],
  ["no embedding: the fallback tier", undefined, false, { tier: "premium", decidedBy: "router:no-embedding" }],
  ["wrong dimensions: the fallback tier", [1, 0, 0], false, { tier: "premium", decidedBy: "router:no-embedding" }],
] as const)("decideTier: %s", (_name, embedding, tools, expected) => {
  it("decides as expected", () => {
    expect(decideTier(ROUTER, facts(tools), embedding, "premium")).toEqual(expected);
  });
});

// Confidence = sigmoid(2 - 3 * final_fraction): a fractional final answer drops it below 0.5.
const VERIFIER: VerifierArtifact = {
  kind: "verifier",
  format: 1,
  embedder: { model: "m", dims: 2 },
  features: { embedding: false, answer: ["final_fraction", "arithmetic_wrong"] },
  model: { type: "logistic", mean: [0, 0], scale: [1, 1], weights: [-3, 0], bias: 2 },
  threshold: 0.5,
  training,
};

describe.each([
  ["a clean integer answer is kept", "2 + 3 = 5\n#### 5", undefined, { escalate: false, failed: [] }],
  ["a fractional final answer escalates", "10 / 4 = 2.5\n#### 2.5", undefined, { escalate: true, failed: [] }],
  ["a wrong arithmetic step escalates", "2 + 3 = 6\n#### 6", undefined, { escalate: true, failed: ["arithmetic"] }],
  ["an empty answer escalates", "  ", undefined, { escalate: true, failed: ["empty"] }],
  ["a refusal escalates", "I'm sorry, I can't help with that.", undefined, { escalate: true, failed: ["refusal"] }],
  ["a cut-off answer escalates", "2 + 3 = 5", "length", { escalate: true, failed: ["length"] }],
] as const)("scoreVerifier: %s", (_name, answer, finishReason, expected) => {
  it("judges as expected", () => {
    const verdict = scoreVerifier(
      VERIFIER,
      { prompt: "Add 2 and 3.", answer, ...(finishReason === undefined ? {} : { finishReason }) },
      undefined,
    );
    expect({ escalate: verdict.escalate, failed: verdict.failed }).toEqual(expected);
  });
});

describe.each([
  ["a right step", "4 + 2 = 6", { checked: 1, wrong: 0 }],
  ["a wrong step", "3 * 6 = 19", { checked: 1, wrong: 1 }],
  ["a chain is checked link by link", "22 + 4 x 12 = 22 + 48 = 70", { checked: 1, wrong: 0 }],
  ["currency and thousands", "$1,200 - $200 = $1,000", { checked: 1, wrong: 0 }],
  ["GSM8K annotations", "<<4+2=6>>6 and <<3*6=18>>18", { checked: 2, wrong: 0 }],
  ["no arithmetic", "The answer is 7.", { checked: 0, wrong: 0 }],
] as const)("checkArithmetic: %s", (_name, text, expected) => {
  it("counts checked and wrong steps", () => {
    const { lastResult: _, ...counts } = checkArithmetic(text);
    expect(counts).toEqual(expected);
  });
});
