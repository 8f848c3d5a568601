import { describe, expect, it } from "vitest";
import { newShareWindow, premiumAllowed, recordTier, windowCounts } from "../../../src/routing/premium-share";

const WINDOW = 10_000; // buckets of 1 s

function filled(events: [number, boolean][]) {
  const w = newShareWindow(WINDOW);
  for (const [at, premium] of events) recordTier(w, at, premium);
  return w;
}

describe("windowCounts", () => {
  describe.each<[string, [number, boolean][], number, { total: number; premium: number }]>([
    ["empty", [], 5_000, { total: 0, premium: 0 }],
    [
      "inside the window",
      [
        [0, true],
        [500, false],
        [9_000, false],
      ],
      9_500,
      { total: 3, premium: 1 },
    ],
    // At 10.5 s the bucket [0, 1 s) is half inside the window.
    [
      "oldest bucket counted by its part inside",
      [
        [0, true],
        [100, true],
        [9_000, false],
      ],
      10_500,
      { total: 2, premium: 1 },
    ],
    [
      "older than the window: gone",
      [
        [0, true],
        [9_000, false],
      ],
      11_000,
      { total: 1, premium: 0 },
    ],
    ["long idle: gone", [[0, true]], 1_000_000, { total: 0, premium: 0 }],
  ])("%s", (_name, events, now, expected) => {
    it("counts", () => {
      const got = windowCounts(filled(events), now);
      expect(got.total).toBeCloseTo(expected.total, 9);
      expect(got.premium).toBeCloseTo(expected.premium, 9);
    });
  });
});

describe("premiumAllowed", () => {
  const mix = (n: number, premium: number): [number, boolean][] =>
    Array.from({ length: n }, (_, i) => [i * 10, i < premium] as [number, boolean]);
  describe.each<[string, [number, boolean][], number, number, boolean]>([
    ["below min_requests: always", mix(5, 5), 0.15, 20, true],
    ["under the cap", mix(100, 10), 0.15, 20, true],
    ["one more would pass the cap", mix(100, 15), 0.15, 20, false],
    ["exactly reaching the cap is allowed", mix(99, 14), 0.15, 20, true],
    ["cap 0 refuses every premium once warm", mix(20, 0), 0, 20, false],
    ["cap 1 allows everything", mix(50, 50), 1, 0, true],
  ])("%s", (_name, events, share, min, expected) => {
    it(`-> ${expected}`, () => {
      expect(premiumAllowed(filled(events), 2_000, share, min)).toBe(expected);
    });
  });

  it("keeps the served share at the cap under steady demand for premium", () => {
    const w = newShareWindow(WINDOW);
    let premium = 0;
    const n = 2000;
    for (let i = 0; i < n; i++) {
      const now = i * 5; // 200 requests/s, the window holds 2000
      const p = premiumAllowed(w, now, 0.15, 20);
      recordTier(w, now, p);
      if (p) premium += 1;
    }
    // Warm-up lets the first 20 through; after that the share converges on the cap.
    expect(premium / n).toBeLessThanOrEqual(0.15 + 20 / n);
    expect(premium / n).toBeGreaterThan(0.14);
  });
});
