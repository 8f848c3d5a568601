import { describe, expect, it } from "vitest";
import { ADMIN_SECRET_MIN_LENGTH, verifyAdmin } from "../../../src/auth/admin";

const SECRET = "admin-secret-for-tests-0123456789";

describe("verifyAdmin", () => {
  it("accepts `Bearer <ADMIN_SECRET>` (scheme case-insensitive)", async () => {
    expect(await verifyAdmin(`Bearer ${SECRET}`, SECRET)).toEqual({ ok: true });
    expect(await verifyAdmin(`bearer ${SECRET}`, SECRET)).toEqual({ ok: true });
  });

  it.each([
    ["a wrong secret", `Bearer ${SECRET}x`],
    ["a prefix of the secret", `Bearer ${SECRET.slice(0, -1)}`],
    ["a different-case secret", `Bearer ${SECRET.toUpperCase()}`],
  ])("refuses %s as a mismatch", async (_, header) => {
    expect(await verifyAdmin(header, SECRET)).toEqual({ ok: false, reason: "mismatch" });
  });

  it.each([
    ["no header", undefined],
    ["null header", null],
    ["an empty header", ""],
    ["the bare secret without a scheme", SECRET],
    ["Basic auth", `Basic ${SECRET}`],
    ["an empty bearer", "Bearer "],
    ["two tokens", `Bearer ${SECRET} ${SECRET}`],
  ])("refuses %s as missing", async (_, header) => {
    expect(await verifyAdmin(header, SECRET)).toEqual({ ok: false, reason: "missing" });
  });

  it("always refuses when no admin secret (or only a weak one) is configured", async () => {
    expect(await verifyAdmin(`Bearer ${SECRET}`, undefined)).toEqual({ ok: false, reason: "not_configured" });
    expect(await verifyAdmin("Bearer ", "")).toEqual({ ok: false, reason: "not_configured" });
    const weak = "x".repeat(ADMIN_SECRET_MIN_LENGTH - 1);
    expect(await verifyAdmin(`Bearer ${weak}`, weak)).toEqual({ ok: false, reason: "not_configured" });
  });
});
