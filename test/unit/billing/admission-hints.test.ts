import { describe, expect, it } from "vitest";
import { AdmissionHints } from "../../../src/ledger/admission-hints";
import type { RateState } from "../../../src/ledger/types";

const rpm = (max: number, remaining: number): RateState => ({
  scope: "key",
  limit: "requests",
  max,
  remaining,
  resetMs: 1000,
});

describe("AdmissionHints: when a request may start its upstream call before its reservation lands", () => {
  it("an account this isolate has not seen admits first", () => {
    expect(new AdmissionHints().tryOverlap("t", "k1", 100, 0)).toBeUndefined();
  });

  it("a balance of at least 20 worst cases overlaps; less does not", () => {
    const hints = new AdmissionHints();
    hints.admitted("t", "k1", 2_000, [], 0);
    expect(hints.tryOverlap("t", "k1", 100, 10)).toBeDefined();
    const other = new AdmissionHints();
    other.admitted("t", "k1", 1_999, [], 0);
    expect(other.tryOverlap("t", "k1", 100, 10)).toBeUndefined();
  });

  it("overlapped requests in flight count against the balance until the ledger answers", () => {
    const hints = new AdmissionHints();
    hints.admitted("t", "k1", 2_150, [], 0);
    const first = hints.tryOverlap("t", "k1", 100, 1);
    const second = hints.tryOverlap("t", "k1", 100, 1);
    expect(first).toBeDefined();
    expect(second).toBeDefined();
    // 2,150 - 200 in flight < 20 × 100.
    expect(hints.tryOverlap("t", "k1", 100, 1)).toBeUndefined();
    first?.();
    first?.(); // a second release changes nothing
    expect(hints.tryOverlap("t", "k1", 100, 1)).toBeDefined();
  });

  it("in-flight room survives a newer admission of the same account", () => {
    const hints = new AdmissionHints();
    hints.admitted("t", "k1", 3_000, [], 0);
    const release = hints.tryOverlap("t", "k1", 100, 1);
    hints.admitted("t", "k1", 3_000, [], 2);
    // Still 100 in flight: 2,900 ≥ 2,000 leaves room for one more, not two.
    expect(hints.tryOverlap("t", "k1", 100, 3)).toBeDefined();
    expect(hints.tryOverlap("t", "k1", 500, 3)).toBeUndefined();
    release?.();
  });

  it("a hint older than 10 s says nothing", () => {
    const hints = new AdmissionHints();
    hints.admitted("t", "k1", 1_000_000, [], 0);
    expect(hints.tryOverlap("t", "k1", 1, 10_000)).toBeDefined();
    expect(hints.tryOverlap("t", "k1", 1, 10_001)).toBeUndefined();
  });

  it("a rate window with less than 10% (and at least 2) of its limit left admits first", () => {
    const hints = new AdmissionHints();
    hints.admitted("t", "k1", 1_000_000, [rpm(100, 10)], 0);
    expect(hints.tryOverlap("t", "k1", 1, 1)).toBeDefined();
    hints.admitted("t", "k1", 1_000_000, [rpm(100, 9)], 2);
    expect(hints.tryOverlap("t", "k1", 1, 3)).toBeUndefined();
    hints.admitted("t", "k1", 1_000_000, [rpm(5, 2)], 4);
    expect(hints.tryOverlap("t", "k1", 1, 5)).toBeDefined();
    hints.admitted("t", "k1", 1_000_000, [rpm(5, 1)], 6);
    expect(hints.tryOverlap("t", "k1", 1, 7)).toBeUndefined();
  });

  it("a refusal forgets the account", () => {
    const hints = new AdmissionHints();
    hints.admitted("t", "k1", 1_000_000, [], 0);
    hints.refused("t", "k1");
    expect(hints.tryOverlap("t", "k1", 1, 1)).toBeUndefined();
  });

  it("accounts are scoped: one account's hint never lets another overlap", () => {
    const hints = new AdmissionHints();
    hints.admitted("t", "k1", 1_000_000, [], 0);
    expect(hints.tryOverlap("t", "k2", 1, 1)).toBeUndefined();
  });

  it("the same account id in another tenant is another account (JWT subjects may share names)", () => {
    const hints = new AdmissionHints();
    hints.admitted("t-a", "jwt:alice", 1_000_000, [], 0);
    expect(hints.tryOverlap("t-b", "jwt:alice", 1, 1)).toBeUndefined();
    expect(hints.tryOverlap("t-a", "jwt:alice", 1, 1)).toBeDefined();
  });
});

describe("AdmissionHints after a store failure", () => {
  it("nothing overlaps for 10 s, whatever the account looked like; then hints must be learned again", () => {
    const hints = new AdmissionHints();
    hints.admitted("t", "k1", 1_000_000, [], 0);
    hints.storeFailed(100);
    expect(hints.tryOverlap("t", "k1", 1, 101)).toBeUndefined();
    hints.admitted("t", "k1", 1_000_000, [], 5_000);
    expect(hints.tryOverlap("t", "k1", 1, 10_099)).toBeUndefined();
    expect(hints.tryOverlap("t", "k1", 1, 10_100)).toBeDefined();
  });
});
