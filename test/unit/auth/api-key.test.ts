import { describe, expect, it } from "vitest";
import {
  API_KEY_ID_LENGTH,
  API_KEY_SECRET_LENGTH,
  generateApiKey,
  hashApiKey,
  looksLikeApiKey,
  parseApiKey,
  verifyApiKey,
} from "../../../src/auth/api-key";
import type { KeyRecord } from "../../../src/ledger/types";

const FORMAT = /^gw_[a-z0-9]{12}_[A-Za-z0-9]{32}$/;

async function recordFor(overrides: Partial<KeyRecord> = {}) {
  const generated = await generateApiKey();
  const record: KeyRecord = {
    keyId: generated.keyId,
    tenantId: "t-main",
    hash: generated.hash,
    prefix: generated.prefix,
    createdAt: 1_000,
    ...overrides,
  };
  return { ...generated, record };
}

describe("generateApiKey", () => {
  it("produces gw_<12 [a-z0-9]>_<32 base62>, its SHA-256 and a display prefix", async () => {
    const { key, keyId, hash, prefix } = await generateApiKey();
    expect(key).toMatch(FORMAT);
    expect(keyId).toHaveLength(API_KEY_ID_LENGTH);
    expect(key.startsWith(`gw_${keyId}_`)).toBe(true);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).toBe(await hashApiKey(key));
    expect(prefix).toBe(`${key.slice(0, 3 + API_KEY_ID_LENGTH + 1 + 4)}…`);
    expect(prefix).not.toContain(key.slice(-API_KEY_SECRET_LENGTH + 4));
  });

  it("draws fresh randomness every time, over the whole alphabet", async () => {
    const keys = await Promise.all(Array.from({ length: 200 }, () => generateApiKey()));
    expect(new Set(keys.map((k) => k.key)).size).toBe(200);
    expect(new Set(keys.map((k) => k.keyId)).size).toBe(200);
    const secretChars = new Set(keys.flatMap((k) => [...k.key.slice(-API_KEY_SECRET_LENGTH)]));
    const idChars = new Set(keys.flatMap((k) => [...k.keyId]));
    // 6,400 draws from 62 symbols: missing one is astronomically unlikely unless the alphabet is wrong.
    expect(secretChars.size).toBe(62);
    expect(idChars.size).toBe(36);
  });
});

describe("parseApiKey", () => {
  const good = "gw_abcdefghij01_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef";

  it("returns the key id of a well-formed key", () => {
    expect(parseApiKey(good)).toEqual({ keyId: "abcdefghij01" });
    expect(looksLikeApiKey(good)).toBe(true);
  });

  it.each([
    ["empty", ""],
    ["legacy static key", "sk-gw-test-main-6f1d2c"],
    ["upper-case prefix", good.replace("gw_", "GW_")],
    ["other prefix", good.replace("gw_", "gx_")],
    ["dash separator", good.replace("gw_", "gw-")],
    ["upper-case key id", good.replace("abcdefghij01", "ABCDEFGHIJ01")],
    ["short key id", good.replace("abcdefghij01", "abcdefghij0")],
    ["long key id", good.replace("abcdefghij01_", "abcdefghij012_")],
    ["short secret", good.slice(0, -1)],
    ["long secret", `${good}x`],
    ["secret with -", `${good.slice(0, -1)}-`],
    ["secret with _", `${good.slice(0, -1)}_`],
    ["trailing newline", `${good}\n`],
    ["leading space", ` ${good}`],
    ["trailing space", `${good} `],
    ["unicode look-alike", good.replace("a", "а")],
    ["extra segment", `${good}_abc`],
    ["JWT", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"],
  ])("rejects %s", (_, value) => {
    expect(parseApiKey(value)).toBeUndefined();
  });
});

describe("verifyApiKey", () => {
  it("accepts the key its record was made from", async () => {
    const { key, record } = await recordFor();
    expect(await verifyApiKey(key, record, 2_000)).toEqual({ ok: true });
  });

  it("refuses a different secret under the same key id, a different key id, and garbage", async () => {
    const { key, record } = await recordFor();
    const last = key.at(-1) === "A" ? "B" : "A";
    expect(await verifyApiKey(`${key.slice(0, -1)}${last}`, record, 2_000)).toEqual({ ok: false, reason: "mismatch" });
    const other = await recordFor();
    expect(await verifyApiKey(other.key, record, 2_000)).toEqual({ ok: false, reason: "mismatch" });
    expect(await verifyApiKey("not a key", record, 2_000)).toEqual({ ok: false, reason: "mismatch" });
    // The right hash under another id (a store returning the wrong record) still does not pass.
    expect(await verifyApiKey(key, { ...record, keyId: other.keyId }, 2_000)).toEqual({
      ok: false,
      reason: "mismatch",
    });
  });

  it("reports revoked and expired keys only to holders of the key", async () => {
    const { key, record } = await recordFor({ revokedAt: 1_500, expiresAt: 3_000 });
    expect(await verifyApiKey(key, record, 1_499)).toEqual({ ok: true });
    expect(await verifyApiKey(key, record, 1_500)).toEqual({ ok: false, reason: "revoked" });
    const expiring = { ...record, revokedAt: undefined };
    expect(await verifyApiKey(key, expiring, 2_999)).toEqual({ ok: true });
    expect(await verifyApiKey(key, expiring, 3_000)).toEqual({ ok: false, reason: "expired" });
    const wrong = `${key.slice(0, -1)}${key.at(-1) === "A" ? "B" : "A"}`;
    expect(await verifyApiKey(wrong, record, 5_000)).toEqual({ ok: false, reason: "mismatch" });
  });
});
