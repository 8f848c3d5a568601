import { countTokens as o200k } from "gpt-tokenizer/encoding/o200k_base";
import { describe, expect, it } from "vitest";
import { estimateTextTokens } from "../../../src/routing/text-tokens";
import { CORPUS } from "./corpus";

/**
 * Keeps the gateway's script-aware estimate (src/routing/text-tokens.ts) in step with a real tokenizer: OpenAI's
 * o200k_base through `gpt-tokenizer` (a devDependency: 2.6 MB minified, too heavy for the Worker bundle). If a weight
 * is changed, or a script is added to the corpus, this says how far the estimate is from the real count.
 */
const samples = Object.entries(CORPUS);

describe("the token estimate against o200k_base, script by script", () => {
  it.each(samples)("%s is within 20% (JSON within 25%: its punctuation merges)", (name, text) => {
    const real = o200k(text);
    const ratio = estimateTextTokens(text) / real;
    const [low, high] = name === "json" ? [0.8, 1.25] : [0.85, 1.2];
    expect(ratio, `${name}: estimate ${estimateTextTokens(text)} vs ${real}`).toBeGreaterThanOrEqual(low);
    expect(ratio, `${name}: estimate ${estimateTextTokens(text)} vs ${real}`).toBeLessThanOrEqual(high);
  });

  it("is within 5% over the whole corpus", () => {
    const all = samples.map(([, t]) => t).join("\n");
    const ratio = estimateTextTokens(all) / o200k(all);
    expect(ratio).toBeGreaterThan(0.95);
    expect(ratio).toBeLessThan(1.05);
  });

  it("fixes the CJK undercount of characters ÷ 4 (issue 15: 2.2× under for Japanese)", () => {
    for (const name of ["chinese", "japanese", "korean", "thai"] as const) {
      const text = (CORPUS[name] ?? "").repeat(20);
      const real = o200k(text);
      expect(Math.ceil(text.length / 4) / real, name).toBeLessThan(0.7);
      expect(estimateTextTokens(text) / real, name).toBeGreaterThan(0.9);
    }
  });
});
