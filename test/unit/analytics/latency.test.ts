import { describe, expect, it } from "vitest";
import { bucketUpper, LATENCY_RATIO, latencyBucket, quantile } from "../../../src/analytics/latency";

describe.each([
  [0, 0],
  [0.4, 0],
  [1, 0],
  [1.05, 1],
  [2, 8],
  [100, 54],
  [1000, 80],
  [10 ** 9, 168],
])("latencyBucket(%d ms)", (ms, bucket) => {
  it(`is bucket ${bucket}, whose upper bound is at or above it and within one bucket`, () => {
    expect(latencyBucket(ms)).toBe(bucket);
    if (bucket > 0 && bucket < 168) {
      expect(bucketUpper(bucket)).toBeGreaterThanOrEqual(ms - 0.005);
      expect(bucketUpper(bucket - 1)).toBeLessThan(ms);
    }
  });
});

describe.each([
  [0.5, [10, 20, 30, 40], 20],
  [0.95, [10, 20, 30, 40], 40],
  [0.5, [5], 5],
  [0.99, Array.from({ length: 100 }, (_, i) => i + 1), 99],
])("quantile(%d) of %j", (q, values, exact) => {
  it("is the upper bound of the exact value's bucket (merging histograms adds counts)", () => {
    const h = new Map<number, number>();
    for (const v of values) h.set(latencyBucket(v), (h.get(latencyBucket(v)) ?? 0) + 1);
    const got = quantile(h, q) ?? Number.NaN;
    expect(got).toBe(bucketUpper(latencyBucket(exact)));
    expect(got).toBeGreaterThanOrEqual(exact - 0.005);
    expect(got).toBeLessThanOrEqual(exact * LATENCY_RATIO + 0.01);
  });
});

it("an empty histogram has no quantile", () => {
  expect(quantile(new Map(), 0.5)).toBeNull();
});
