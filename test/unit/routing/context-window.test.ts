import { describe, expect, it } from "vitest";
import { fitContextWindow, promptTokensAtLeast } from "../../../src/routing/context-window";
import type { RoutePlan } from "../../../src/routing/plan";
import { model, planOf } from "./helpers";

/** A plan whose first alias has a 1000-token window and whose fallback alias has `fallbackWindow`. */
function twoAliasPlan(fallbackWindow: number): RoutePlan {
  const small = model("small", ["p/a"], { context_window: 1000 });
  const big = model("big", ["p/b"], { context_window: fallbackWindow });
  const plan = planOf(["p/a"]);
  return {
    ...plan,
    alias: "small",
    model: small,
    attempts: [
      { alias: "small", model: small, providerId: "p", upstreamModel: "a", targetKey: "p/a" },
      { alias: "big", model: big, providerId: "p", upstreamModel: "b", targetKey: "p/b" },
    ],
  };
}

describe.each([
  // [estimate, fallback window, kept aliases or "refused"]
  [100, 1000, ["small", "big"]],
  [1249, 1000, ["small", "big"]], // 1249 / 1.25 = 999 (+1 output token) fits exactly: no false refusal at the edge
  [1250, 1000, "refused"],
  [1250, 200_000, ["big"]],
  [1_000_000, 200_000, "refused"],
] as const)("fitContextWindow: estimate %d, fallback window %d", (estimate, fallbackWindow, expected) => {
  it(expected === "refused" ? "refuses with context_length_exceeded" : `keeps ${String(expected)}`, () => {
    const result = fitContextWindow(twoAliasPlan(fallbackWindow), estimate);
    if (expected === "refused") {
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe("context_length_exceeded");
        expect(result.error.status).toBe(400);
        expect(result.error.param).toBe("messages");
        expect(result.error.message).toContain(`maximum context length is ${fallbackWindow} tokens`);
      }
    } else {
      expect(result.ok).toBe(true);
      if (result.ok) expect(result.plan.attempts.map((a) => a.alias)).toEqual(expected);
    }
  });
});

it("the margin reads the estimate generously", () => {
  expect(promptTokensAtLeast(1250)).toBe(1000);
  expect(promptTokensAtLeast(0)).toBe(0);
});
