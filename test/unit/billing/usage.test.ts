import { describe, expect, it } from "vitest";
import { checkUsage, implausibleParts, tokenFloor } from "../../../src/gateway/billing/usage";

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
    ["-0 completion tokens", { prompt_tokens: 10, completion_tokens: -0, total_tokens: 10 }, "invalid"],
    ["-0 prompt tokens", { prompt_tokens: -0, completion_tokens: 3, total_tokens: 3 }, "invalid"],
    [
      "cached tokens above the prompt",
      { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11, prompt_tokens_details: { cached_tokens: 11 } },
      "inconsistent",
    ],
    [
      "cache reads and writes above the prompt",
      {
        prompt_tokens: 10,
        completion_tokens: 1,
        total_tokens: 11,
        prompt_tokens_details: { cached_tokens: 6, cache_write_tokens: 5 },
      },
      "inconsistent",
    ],
    [
      "negative cached tokens",
      { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11, prompt_tokens_details: { cached_tokens: -1 } },
      "invalid",
    ],
    [
      "cached tokens as a string",
      { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11, prompt_tokens_details: { cached_tokens: "4" } },
      "invalid",
    ],
  ])("refuses %s usage", (_label, usage, reason) => {
    expect(checkUsage(usage as never, limits)).toEqual({ ok: false, reason });
  });

  it("accepts honest usage (total may exceed the parts: cached or reasoning tokens)", () => {
    expect(checkUsage({ prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 }, limits)).toEqual({
      ok: true,
      inputTokens: 10,
      outputTokens: 20,
      cachedTokens: 0,
      cacheWriteTokens: 0,
    });
    expect(checkUsage({ prompt_tokens: 10, completion_tokens: 20, total_tokens: 40 }, limits).ok).toBe(true);
  });
});

describe("checkUsage: prompt-cache parts", () => {
  const limits = { maxOutputTokens: 100, contextWindow: 1000 };
  it.each([
    [{ cached_tokens: 10 }, 10, 0],
    [{ cached_tokens: 4, cache_write_tokens: 6 }, 4, 6],
    [{ cached_tokens: 0 }, 0, 0],
    [{ audio_tokens: 3 }, 0, 0],
    [null, 0, 0],
  ])("%j -> cached %i, written %i", (details, cached, written) => {
    const usage = { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11, prompt_tokens_details: details };
    expect(checkUsage(usage, limits)).toMatchObject({ ok: true, cachedTokens: cached, cacheWriteTokens: written });
  });
});

describe("tokenFloor and implausibleParts: counts below what was sent or delivered", () => {
  it.each([
    [0, 0],
    [1, 1],
    [31, 1],
    [64, 2],
    [3200, 100],
  ])("%i characters are at least %i tokens", (chars, floor) => {
    expect(tokenFloor(chars)).toBe(floor);
  });

  it.each([
    ["0 output for a delivered answer", { inputTokens: 5, outputTokens: 0 }, { prompt: 1, output: 1 }, false, true],
    ["0 prompt for a prompt with text", { inputTokens: 0, outputTokens: 9 }, { prompt: 1, output: 1 }, true, false],
    ["both 0", { inputTokens: 0, outputTokens: 0 }, { prompt: 2, output: 3 }, true, true],
    ["honest counts", { inputTokens: 12, outputTokens: 20 }, { prompt: 1, output: 2 }, false, false],
    [
      "nothing delivered, nothing reported",
      { inputTokens: 3, outputTokens: 0 },
      { prompt: 1, output: 0 },
      false,
      false,
    ],
  ])("%s", (_, usage, floors, input, output) => {
    expect(implausibleParts(usage, floors)).toEqual({ input, output });
  });
});
