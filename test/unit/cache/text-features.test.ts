import { describe, expect, it } from "vitest";
import { analyseText, jaccard } from "../../../src/cache/decision/text-features";

describe("analyseText", () => {
  it("lower-cases words and keeps inner apostrophes", () => {
    expect(analyseText("Why DON'T cats purr?").words).toEqual(["why", "don't", "cats", "purr"]);
    expect(analyseText("It’s fine").words).toEqual(["it's", "fine"]);
  });

  it("separates content words from stopwords, question words and negations", () => {
    const f = analyseText("What is the capital of France, not Spain?");
    expect([...f.content].sort()).toEqual(["capital", "france", "spain"]);
    expect(f.questionWord).toBe("what");
    expect(f.negations).toBe(1);
  });

  describe.each<[string, string, string[]]>([
    ["plain digits", "I have 3 cats and 12 dogs", ["3", "12"]],
    ["thousands separators", "Is 10,000 steps a day enough?", ["10000"]],
    ["leading zeros", "Flight 007 or 7", ["7"]],
    ["number words", "Two or twenty?", ["2", "20"]],
    ["alphanumerics stay whole", "4g on a 3g phone", ["4g", "3g"]],
    ["'one' is a pronoun, not a count", "Which one should I buy?", []],
  ])("numbers: %s", (_name, text, expected) => {
    it(`are ${JSON.stringify(expected)}`, () => {
      expect([...analyseText(text).numbers].sort()).toEqual([...expected].sort());
    });
  });

  describe.each<[string, number]>([
    ["Is it safe?", 0],
    ["Is it not safe?", 1],
    ["It isn't safe, never", 2],
    ["It isn’t safe", 1],
    ["Why cant I sleep without music?", 2],
    ["I cannot do it", 1],
    ["Nothing works", 1],
  ])("negations in %j", (text, expected) => {
    it(`are ${expected}`, () => {
      expect(analyseText(text).negations).toBe(expected);
    });
  });

  it("takes the first question word", () => {
    expect(analyseText("How and why does it work?").questionWord).toBe("how");
    expect(analyseText("Is it raining?").questionWord).toBeUndefined();
  });

  it("collects capitalised words except at a sentence start and the pronoun I", () => {
    const f = analyseText("Should I vote for Trump? Maybe Obama. I think so");
    expect([...f.capitalised].sort()).toEqual(["obama", "trump"]);
    expect([...analyseText("what is the best phone").capitalised]).toEqual([]);
  });

  it("handles empty and symbol-only text", () => {
    const f = analyseText(" ?! ");
    expect(f.words).toEqual([]);
    expect(f.content.size).toBe(0);
    expect(f.questionWord).toBeUndefined();
  });
});

describe("jaccard", () => {
  it("is |A∩B| / |A∪B|", () => {
    expect(jaccard(new Set(["a", "b"]), new Set(["b", "c"]))).toBeCloseTo(1 / 3, 12);
    expect(jaccard(new Set(["a"]), new Set(["a"]))).toBe(1);
    expect(jaccard(new Set(["a"]), new Set(["b"]))).toBe(0);
  });

  it("treats two empty sets as identical and one empty set as disjoint", () => {
    expect(jaccard(new Set(), new Set())).toBe(1);
    expect(jaccard(new Set(), new Set(["a"]))).toBe(0);
  });
});
