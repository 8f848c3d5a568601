import { describe, expect, it } from "vitest";
import { constantTimeLoop, timingSafeEqualBytes, timingSafeEqualString } from "../../../src/auth/constant-time";

const bytes = (...values: number[]) => new Uint8Array(values);

describe("constant-time comparison", () => {
  it("workerd provides crypto.subtle.timingSafeEqual, which the helpers use", () => {
    expect(typeof (crypto.subtle as unknown as { timingSafeEqual?: unknown }).timingSafeEqual).toBe("function");
  });

  it.each([
    ["native", timingSafeEqualBytes],
    ["portable loop", constantTimeLoop],
  ])("%s: equal only for identical bytes of identical length", (_, equal) => {
    expect(equal(bytes(1, 2, 3), bytes(1, 2, 3))).toBe(true);
    expect(equal(bytes(), bytes())).toBe(true);
    expect(equal(bytes(1, 2, 3), bytes(1, 2, 4))).toBe(false);
    expect(equal(bytes(0, 2, 3), bytes(1, 2, 3))).toBe(false);
    expect(equal(bytes(1, 2, 3), bytes(1, 2))).toBe(false);
    expect(equal(bytes(1, 2), bytes(1, 2, 3))).toBe(false);
  });

  it("compares strings by their UTF-8 bytes", () => {
    const hex = "a".repeat(64);
    expect(timingSafeEqualString(hex, "a".repeat(64))).toBe(true);
    expect(timingSafeEqualString(hex, `${"a".repeat(63)}b`)).toBe(false);
    expect(timingSafeEqualString(hex, "a".repeat(63))).toBe(false);
    expect(timingSafeEqualString("é", "e\u0301")).toBe(false);
    expect(timingSafeEqualString("", "")).toBe(true);
  });
});
