import { describe, expect, it } from "vitest";
import { parseEvalOptions } from "../../../scripts/eval/options";
import { seededSample, splitHalves } from "../../../scripts/eval/random";

describe("parseEvalOptions", () => {
  it("has defaults: full data, seed 1, 2% budget at 95% confidence", () => {
    const parsed = parseEvalOptions([]);
    expect(parsed.ok && parsed.options).toMatchObject({
      limit: undefined,
      seed: 1,
      seeds: 1,
      targetFhr: 0.02,
      z: 1.645,
      search: false,
    });
  });

  it("reads every flag", () => {
    const parsed = parseEvalOptions([
      "--limit",
      "500",
      "--seed",
      "7",
      "--seeds",
      "3",
      "--target-fhr",
      "0.05",
      "--z",
      "0",
      "--search",
    ]);
    expect(parsed.ok && parsed.options).toMatchObject({
      limit: 500,
      seed: 7,
      seeds: 3,
      targetFhr: 0.05,
      z: 0,
      search: true,
    });
  });

  it.each([["--limit"], ["--limit", "x"], ["--limit", "2.5"], ["--target-fhr", "2"], ["--bogus"], ["--data"]])(
    "refuses %j with the usage",
    (...argv) => {
      const parsed = parseEvalOptions(argv);
      expect(parsed.ok).toBe(false);
      expect(!parsed.ok && !parsed.help && parsed.message).toMatch(/usage:/);
    },
  );

  it("answers --help with the usage", () => {
    expect(parseEvalOptions(["--help"])).toMatchObject({ ok: false, help: true });
  });
});

describe("seeded splits and samples", () => {
  const items = Array.from({ length: 101 }, (_, i) => i);

  it("splits into two disjoint halves that cover everything, the same way for the same seed", () => {
    const { calibration, test } = splitHalves(items, 3);
    expect(calibration).toHaveLength(51);
    expect(test).toHaveLength(50);
    expect([...calibration, ...test].sort((a, b) => a - b)).toEqual(items);
    expect(splitHalves(items, 3)).toEqual({ calibration, test });
    expect(splitHalves(items, 4).calibration).not.toEqual(calibration);
  });

  it("samples without repetition, deterministically", () => {
    const s = seededSample(items, 10, 9);
    expect(new Set(s).size).toBe(10);
    expect(seededSample(items, 10, 9)).toEqual(s);
    expect(seededSample(items, 1000, 9)).toEqual(items);
  });
});
