import { beforeAll, describe, expect, it } from "vitest";
import { embedTexts, warmUpUseLite } from "../../../local/embeddings-use";
import { decisionConfigFor } from "../../../src/cache/config";
import { DEFAULT_CACHE_DECISION, decideHit, plainCosineConfig } from "../../../src/cache/decision";
import type { CacheConfig } from "../../../src/policy/types";

/**
 * The real USE-lite embedder (English vocabulary) maps unrelated questions in scripts it has no tokens for to
 * nearly the same vector. Every decision path — the calibrated default, a policy's plain threshold — must refuse
 * to hit on such pairs; English paraphrases still hit.
 */

const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, x, i) => s + x * (b[i] ?? 0), 0);
const cosine = (a: readonly number[], b: readonly number[]) => dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));

const UNRELATED: [string, string][] = [
  ["如何重置我的密码？", "明天北京的天气怎么样？"],
  ["東京で一番おいしいラーメン屋はどこですか？", "猫に薬を飲ませる方法を教えてください。"],
  ["วิธีรีเซ็ตรหัสผ่านของฉัน", "พรุ่งนี้อากาศที่กรุงเทพเป็นอย่างไร"],
];

const base: CacheConfig = {
  mode: "on",
  exact: true,
  semantic: true,
  ttl_s: 3600,
  max_entries: 100,
  hit_price_ppm: 0,
  max_temperature: 1,
  cache_tool_calls: false,
  embedder: { kind: "model", model: "local-embed" },
};

beforeAll(async () => {
  await warmUpUseLite();
}, 120_000);

describe("semantic cache decisions on texts the embedder cannot represent", () => {
  it.each(UNRELATED)("%s / %s: USE-lite puts them close, and no decision path hits", async (a, b) => {
    const [va, vb] = await embedTexts([a, b]);
    if (va === undefined || vb === undefined) throw new Error("no vectors");
    const cos = cosine(va, vb);
    // Unrelated questions, yet close enough that a plain threshold at their cosine would serve one for the other.
    expect(cos).toBeGreaterThan(0.7);
    for (const config of [
      DEFAULT_CACHE_DECISION,
      plainCosineConfig(0.7),
      decisionConfigFor({ ...base, threshold: 0.7 }),
      decisionConfigFor(base),
    ]) {
      expect(decideHit(a, b, cos, config)).toMatchObject({ hit: false, reason: "guard:unrepresentable" });
    }
  });

  it("English paraphrases still hit through the plain threshold", async () => {
    const a = "How do I reset my password?";
    const b = "How can I reset my password?";
    const [va, vb] = await embedTexts([a, b]);
    if (va === undefined || vb === undefined) throw new Error("no vectors");
    const cos = cosine(va, vb);
    expect(decideHit(a, b, cos, decisionConfigFor({ ...base, threshold: 0.8 })).hit).toBe(cos >= 0.8);
    expect(decideHit(a, b, 0.95, plainCosineConfig(0.9)).hit).toBe(true);
  });
});
