import { describe, expect, it } from "vitest";
import { firstCheckMs } from "../../../src/ledger/group-commit";

describe.each([
  { roundTripMs: 0, first: 1 },
  { roundTripMs: 1.5, first: 1 },
  { roundTripMs: 3, first: 1 },
  { roundTripMs: 4, first: 1 },
  { roundTripMs: 6, first: 3 },
  { roundTripMs: 8.9, first: 3 },
  { roundTripMs: 10, first: 5 },
  { roundTripMs: 14, first: 7 },
  { roundTripMs: 40, first: 7 },
  { roundTripMs: 10_000, first: 7 },
])("firstCheckMs($roundTripMs)", ({ roundTripMs, first }) => {
  it(`waits ${first} ms: odd, at most half the round trip, 1–7 ms`, () => {
    const got = firstCheckMs(roundTripMs);
    expect(got).toBe(first);
    expect(got % 2).toBe(1);
    expect(got === 1 || got <= roundTripMs / 2).toBe(true);
  });
});
