import { describe, expect, it } from "vitest";
import { cosine, embedText } from "../../../local/embeddings";

const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

describe("lexical feature-hashing embedding", () => {
  it("is deterministic, L2-normalised and case-insensitive", () => {
    const a = embedText("The Cat sat on the mat.");
    expect(embedText("The Cat sat on the mat.")).toEqual(a);
    expect(norm(a)).toBeCloseTo(1, 10);
    expect(cosine(a, embedText("the cat SAT on the mat"))).toBeCloseTo(1, 10);
  });

  it("ranks a near-duplicate above an unrelated sentence, and word order matters through bigrams", () => {
    const q = embedText("cancel my subscription before the renewal date");
    const near = embedText("please cancel my subscription before renewal");
    const far = embedText("best pizza places near the station");
    expect(cosine(q, near)).toBeGreaterThan(cosine(q, far));
    const shuffled = embedText("date renewal the before subscription my cancel");
    expect(cosine(q, shuffled)).toBeLessThan(0.99);
    expect(cosine(q, shuffled)).toBeGreaterThan(cosine(q, far));
  });

  it("gives a zero vector for text without words, and honours a dimension count", () => {
    expect(norm(embedText(" ... !!"))).toBe(0);
    expect(cosine(embedText(""), embedText("x"))).toBe(0);
    expect(embedText("hello", 64)).toHaveLength(64);
  });
});
