import { describe, expect, it } from "vitest";
import { analyseText } from "../../../src/cache/decision/text-features";
import { firstVeto, VETO_NAMES, VETOES, type VetoName } from "../../../src/cache/decision/vetoes";

const fires = (name: VetoName, a: string, b: string) => VETOES[name](analyseText(a), analyseText(b));

describe.each<[VetoName, string, string, boolean]>([
  ["numbers", "How do I run 4g on my 3g phone?", "How do I run 4g on my phone?", true],
  ["numbers", "Best laptop under 500 dollars", "Best laptop under 800 dollars", true],
  ["numbers", "Is 10,000 steps enough?", "Is 10000 steps enough?", false],
  ["numbers", "What are two ways to cook rice?", "What are 2 ways to cook rice?", false],
  ["numbers", "How do I cook rice?", "How can I cook rice?", false],
  ["negation", "Why do cats purr?", "Why don't cats purr?", true],
  ["negation", "Can I travel without a visa?", "Can I travel with a visa?", true],
  ["negation", "Why can't I sleep?", "Why am I not able to sleep?", false],
  ["negation", "Why do I sleep badly?", "Why do I sleep poorly?", false],
  ["entities", "Will Trump win the election?", "Will Clinton win the election?", true],
  ["entities", "Is Python good for data science?", "Is python good for data science?", false],
  ["entities", "Is python good for data science?", "is java good for data science?", false],
  ["entities", "Who is the president?", "Who is the president?", false],
  ["question-word", "Why is the sky blue?", "When is the sky blue?", true],
  ["question-word", "How can I learn Python?", "What is the best way to learn Python?", false],
  ["question-word", "Which phone should I buy?", "What phone should I buy?", false],
  ["question-word", "Is the sky blue?", "Why is the sky blue?", false],
  ["question-word", "Who wrote it?", "Whom was it written by?", false],
  ["antonyms", "What is the best phone?", "What is the worst phone?", true],
  ["antonyms", "How do I increase my weight?", "How do I decrease my weight?", true],
  ["antonyms", "Best and worst phones?", "What is the worst phone?", false],
  ["antonyms", "What is the best phone?", "Which phone is the best?", false],
  ["number-swap", "Facts about Windows 8?", "Facts about Windows 10?", true],
  ["number-swap", "Fun things at a sleepover?", "Fun things at a sleepover with 3 people?", false],
  ["numbers", "Fun things at a sleepover?", "Fun things at a sleepover with 3 people?", true],
  ["numbers", "Best phone under 15k?", "Best phone under 15000?", false],
  ["numbers", "Best earphone under rs500?", "Best earphone under 500rs?", false],
  ["negation", "Is lightning faster than sound? Why or why not?", "Is lightning faster than sound?", false],
  ["entity-swap", "Which professors at IIT Delhi?", "Which professors at IIT Guwahati?", true],
  ["entity-swap", "Will Trump win?", "Will Donald Trump win?", false],
  ["entities", "Will Trump win?", "Will Donald Trump win?", true],
  ["entity-order", "What do people in Denver think of Seattle?", "What do people in Seattle think of Denver?", true],
  ["entity-order", "How do I install Windows on a Mac?", "How do I install Windows on my Mac?", false],
  ["entity-order", "Is Denver nice?", "Is Denver nice?", false],
  ["substitution", "What are blue heeler mixes like?", "What are red heeler mixes like?", true],
  ["substitution", "What are heeler mixes like?", "What are red heeler mixes like?", false],
  ["substitution", "Blue cats?", "Red cats?", false],
  ["substitution", "How do I learn Python quickly?", "How do I learning Python quickly?", false],
])("veto %s: %j vs %j", (name, a, b, expected) => {
  it(`${expected ? "fires" : "does not fire"}, in both directions`, () => {
    expect(fires(name, a, b)).toBe(expected);
    expect(fires(name, b, a)).toBe(expected);
  });
});

describe("firstVeto", () => {
  const a = analyseText("Why don't 3 cats purr?");
  const b = analyseText("Why do 4 cats purr?");

  it("returns the first firing veto in the order given", () => {
    expect(firstVeto(["negation", "numbers"], a, b)).toBe("negation");
    expect(firstVeto(["numbers", "negation"], a, b)).toBe("numbers");
  });

  it("returns undefined when none fires or none is enabled", () => {
    expect(firstVeto(["entities", "antonyms"], a, b)).toBeUndefined();
    expect(firstVeto([], a, b)).toBeUndefined();
  });

  it("never fires on identical texts", () => {
    const t = analyseText("Why don't the 3 best Trump voters in New York say not?");
    expect(firstVeto(VETO_NAMES, t, t)).toBeUndefined();
  });
});
