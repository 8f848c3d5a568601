import { describe, expect, it } from "vitest";
import { checkUsage } from "../../../src/gateway/billing/usage";

describe("checkUsage: upstream token counts are untrusted", () => {
  const limits = { maxOutputTokens: 100, contextWindow: 1000 };
  it.each([
    ["missing", undefined, "missing"],
    ["negative", { prompt_tokens: -1, completion_tokens: 5, total_tokens: 4 }, "invalid"],
    ["fractional", { prompt_tokens: 1.5, completion_tokens: 5, total_tokens: 7 }, "invalid"],
    ["NaN", { prompt_tokens: Number.NaN, completion_tokens: 5, total_tokens: 5 }, "invalid"],
    ["a string", { prompt_tokens: "3", completion_tokens: 5, total_tokens: 8 }, "invalid"],
    ["beyond 2^53", { prompt_tokens: 2 ** 60, completion_tokens: 5, total_tokens: 2 ** 60 }, "invalid"],
    ["output above the grant", { prompt_tokens: 1, completion_tokens: 1000, total_tokens: 1001 }, "inconsistent"],
    [
      "prompt above the context window",
      { prompt_tokens: 5000, completion_tokens: 1, total_tokens: 5001 },
      "inconsistent",
    ],
    ["total below the parts", { prompt_tokens: 10, completion_tokens: 10, total_tokens: 5 }, "inconsistent"],
  ])("refuses %s usage", (_label, usage, reason) => {
    expect(checkUsage(usage as never, limits)).toEqual({ ok: false, reason });
  });

  it("accepts honest usage (total may exceed the parts: cached or reasoning tokens)", () => {
    expect(checkUsage({ prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 }, limits)).toEqual({
      ok: true,
      inputTokens: 10,
      outputTokens: 20,
    });
    expect(checkUsage({ prompt_tokens: 10, completion_tokens: 20, total_tokens: 40 }, limits).ok).toBe(true);
  });
});
