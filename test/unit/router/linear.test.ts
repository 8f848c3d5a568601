import { describe, expect, it } from "vitest";
import type { LinearModel } from "../../../src/policy/artifact-types";
import { linearProbability } from "../../../src/routing/router/linear";

// z = bias + w0·((P0·e − m0)/s0) + w1·((P1·e − m1)/s1) + w2·((x − m2)/s2); P = [[1, 2], [0, 1]], e = [3, 4]:
// P0·e = 11, P1·e = 4 → z = −1 + 0.5·(11 − 1)/2 + 1·(4 − 0)/1 + (−2)·(1 − 1)/1 = −1 + 2.5 + 4 = 5.5.
const model = (): LinearModel => ({
  type: "logistic",
  projection: [
    [1, 2],
    [0, 1],
  ],
  mean: [1, 0, 1],
  scale: [2, 1, 1],
  weights: [0.5, 1, -2],
  bias: -1,
});

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

describe.each([
  ["a plain model", model()],
  ["a deep-frozen model (as the compiled policy holds it)", deepFreeze(model())],
])("linearProbability: %s", (_name, m) => {
  it("projects, standardises and applies the logistic link", () => {
    expect(linearProbability(m, [3, 4], [1])).toBeCloseTo(1 / (1 + Math.exp(-5.5)), 12);
    // Twice: the packed projection is made once and reused.
    expect(linearProbability(m, Float32Array.from([3, 4]), [1])).toBeCloseTo(1 / (1 + Math.exp(-5.5)), 12);
  });
});
