import { describe, expect, it } from "vitest";
import { CacheDecisionConfigSchema } from "../../../src/cache/decision/config-schema";
import { DEFAULT_CACHE_DECISION } from "../../../src/cache/decision/defaults";

describe("CacheDecisionConfigSchema", () => {
  it("defaults every field to the shipped decision", () => {
    expect(CacheDecisionConfigSchema.parse({})).toEqual(DEFAULT_CACHE_DECISION);
  });

  it("lets a policy override only the threshold", () => {
    expect(CacheDecisionConfigSchema.parse({ threshold: 0.95 })).toEqual({
      ...DEFAULT_CACHE_DECISION,
      threshold: 0.95,
    });
  });

  it("maps snake_case and accepts a plain cosine config", () => {
    const parsed = CacheDecisionConfigSchema.parse({
      threshold: 0.92,
      min_cosine: -1,
      vetoes: [],
      penalties: {},
      blend: { overlap: 0, length: 0 },
    });
    expect(parsed).toEqual({
      threshold: 0.92,
      minCosine: -1,
      vetoes: [],
      penalties: {},
      blend: { overlap: 0, length: 0 },
    });
  });

  it.each([
    [{ threshold: 3 }],
    [{ min_cosine: 1.5 }],
    [{ vetoes: ["numbers", "numbers"] }],
    [{ vetoes: ["astrology"] }],
    [{ penalties: { numbers: -0.1 } }],
    [{ penalties: { astrology: 0.1 } }],
    [{ blend: { overlap: 1.5 } }],
    [{ minCosine: 0.5 }],
  ])("refuses %j", (input) => {
    expect(CacheDecisionConfigSchema.safeParse(input).success).toBe(false);
  });
});
