import { describe, expect, it } from "vitest";
import { backoffMs } from "../../../src/routing/backoff";
import { seeded, sequence } from "./helpers";

describe("backoffMs", () => {
  describe.each<[string, number, number, number, number, number]>([
    // name, retry, base, max, random, expected
    ["first retry, zero draw", 0, 100, 10_000, 0, 0],
    ["first retry, half draw", 0, 100, 10_000, 0.5, 50],
    ["second retry doubles the ceiling", 1, 100, 10_000, 0.5, 100],
    ["fifth retry", 4, 100, 10_000, 0.5, 800],
    ["ceiling capped by max", 10, 100, 1000, 0.5, 500],
    ["a draw of 1 stays under the ceiling", 0, 100, 10_000, 1, 99],
    ["huge retry count stays finite", 5000, 100, 1000, 0.5, 500],
    ["nonsense draw counts as 0", 0, 100, 1000, Number.NaN, 0],
    ["negative base", 0, -5, 1000, 0.5, 0],
  ])("%s", (_name, retry, base, max, draw, expected) => {
    it(`is ${expected}`, () => {
      expect(backoffMs(retry, base, max, sequence(draw))).toBe(expected);
    });
  });

  it("stays within [0, min(max, base * 2^retry)) for many draws", () => {
    const random = seeded(1);
    for (let retry = 0; retry < 12; retry++) {
      const ceiling = Math.min(5000, 50 * 2 ** retry);
      for (let i = 0; i < 200; i++) {
        const d = backoffMs(retry, 50, 5000, random);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(ceiling);
        expect(Number.isInteger(d)).toBe(true);
      }
    }
  });

  describe.each<[string, { retryAfterMs?: number; remainingMs?: number }, number]>([
    ["retry-after hint used as is", { retryAfterMs: 700 }, 700],
    ["retry-after hint capped by max", { retryAfterMs: 60_000 }, 2000],
    ["retry-after of 0 honoured", { retryAfterMs: 0 }, 0],
    ["retry-after capped by the deadline", { retryAfterMs: 700, remainingMs: 300 }, 300],
    ["jittered delay capped by the deadline", { remainingMs: 10 }, 10],
    ["deadline already passed", { remainingMs: -50 }, 0],
  ])("%s", (_name, options, expected) => {
    it(`is ${expected}`, () => {
      expect(backoffMs(3, 100, 2000, sequence(0.9), options)).toBe(expected);
    });
  });
});
