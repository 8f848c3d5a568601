import { describe, expect, it } from "vitest";
import { decideHit, plainCosineConfig } from "../../../src/cache/decision";
import { representabilityGuard } from "../../../src/cache/decision/representable";
import { scriptProfile } from "../../../src/cache/decision/script-profile";

describe.each([
  ["English", "How do I reset my password?", "latin", 0],
  ["French with accents", "Comment réinitialiser mon mot de passe ?", "latin", 0],
  ["Chinese", "如何重置我的密码？", "han", 1],
  ["Japanese (kanji and kana)", "東京で一番おいしいラーメン屋はどこですか", "han", 1],
  ["Thai", "วิธีรีเซ็ตรหัสผ่านของฉัน", "thai", 1],
  ["Russian", "Как сбросить пароль?", "cyrillic", 1],
  ["digits only", "12345 + 678", undefined, 0],
])("scriptProfile: %s", (_label, text, dominant, share) => {
  it(`is ${dominant ?? "no script"} with a non-Latin share of ${share}`, () => {
    const profile = scriptProfile(text);
    expect(profile.dominant).toBe(dominant);
    expect(profile.nonLatinShare).toBeCloseTo(share, 5);
  });
});

describe.each([
  ["English / English", "reset my password", "reset the password", "latin", undefined],
  ["Chinese / Chinese, English-only embedder", "如何重置我的密码", "明天北京的天气怎么样", "latin", "unrepresentable"],
  ["Chinese / Chinese, multilingual embedder", "如何重置我的密码", "如何重置密码", "multilingual", undefined],
  [
    "Chinese / English, multilingual embedder",
    "如何重置我的密码",
    "reset my password",
    "multilingual",
    "script-mismatch",
  ],
  ["Russian / English", "сбросить пароль", "reset my password", "latin", "script-mismatch"],
  ["English with one Chinese word", "what does 密码 mean in English please", "what does it mean", "latin", undefined],
] as const)("representabilityGuard: %s", (_label, a, b, coverage, expected) => {
  it(`answers ${expected ?? "nothing (decide on the score)"}`, () => {
    expect(representabilityGuard(scriptProfile(a), scriptProfile(b), coverage)).toBe(expected);
  });
});

describe("decideHit applies the guard before any threshold", () => {
  it("a plain cosine threshold cannot hit on unrepresentable text, even at cosine 1", () => {
    expect(decideHit("如何重置我的密码？", "明天北京的天气怎么样？", 1, plainCosineConfig(0.5))).toMatchObject({
      hit: false,
      reason: "guard:unrepresentable",
    });
    expect(
      decideHit("如何重置我的密码？", "如何重置密码？", 0.99, { ...plainCosineConfig(0.5), coverage: "multilingual" }),
    ).toMatchObject({ hit: true });
  });
});
