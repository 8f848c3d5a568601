import { describe, expect, it } from "vitest";
import { answerFeatures } from "../../../src/routing/router/answer-features";
import { answerSignals } from "../../../src/routing/router/answer-signals";
import { arithmeticClaims, evaluateArithmetic } from "../../../src/routing/router/arithmetic";
import { statedQuantities } from "../../../src/routing/router/quantities";
import { failedChecks } from "../../../src/routing/router/verifier";

describe.each([
  ["precedence", "2 + 3 * 4", 14],
  ["parentheses", "(2 + 3) * 4", 20],
  ["× and ÷", "12 ÷ 4 × 3", 9],
  ["x as times", "4 x 12", 48],
  ["currency and thousands", "$1,200 - $200", 1000],
  ["percent sign drops", "20% * 50", 1000],
  ["unary minus", "-3 + 5", 2],
  ["a word is not arithmetic", "3 apples + 4", undefined],
  ["division by zero", "4 / 0", undefined],
  ["code is not arithmetic", "alert(1)", undefined],
] as const)("evaluateArithmetic: %s", (_name, text, expected) => {
  it("evaluates without eval", () => {
    expect(evaluateArithmetic(text)).toBe(expected);
  });
});

describe.each([
  ["a right free-text step", "so 4 + 2 = 6 pets", [{ value: 6, stated: 6, wrong: false }]],
  ["a wrong free-text step", "Jan has 3 * 6 = 19 pets", [{ value: 18, stated: 19, wrong: true }]],
  ["a calculator annotation", "<<4+2=6>>6", [{ value: 6, stated: 6, wrong: false }]],
  ["a wrong annotation", "<<45/9=6>>6", [{ value: 5, stated: 6, wrong: true }]],
  ["rounding to 2 decimals is right", "40 / 6 = 6.67 packs", [{ value: 6.666666667, stated: 6.67, wrong: false }]],
  ["within 1% is right", "1000 / 3 = 333 each", [{ value: 333.333333333, stated: 333, wrong: false }]],
  ["a claim ending a sentence", "Together 4 + 6 + 18 = 28.", [{ value: 28, stated: 28, wrong: false }]],
  ["currency on both sides", "$3.20 - $2 = $1.20", [{ value: 1.2, stated: 1.2, wrong: false }]],
  ["percent as a fraction", "25% * 80 = 20", [{ value: 2000, stated: 20, wrong: false }]],
  ["percent as a unit", "25% * 80 = 2000", [{ value: 2000, stated: 2000, wrong: false }]],
  ["a wrong percent", "10% * 50 = 7", [{ value: 500, stated: 7, wrong: true }]],
  ["no operator, no claim", "x = 5 and 7 = 7", []],
  ["a right side that goes on is not a result", "2 * 30 - 12 = 60 - 12", []],
] as const)("arithmeticClaims: %s", (_name, text, expected) => {
  it("finds each claim and whether it is wrong", () => {
    const claims = arithmeticClaims(text).map(({ value, stated, wrong }) => ({
      value: Number(value.toFixed(9)),
      stated,
      wrong,
    }));
    expect(claims).toEqual(expected);
  });
});

describe.each([
  ["digits and thousands", "He paid $1,200.50 for 3 chairs", ["1200.5", "3"]],
  ["number words", "five pens, twice as many, a dozen eggs and half of them", ["5", "2", "12", "2"]],
  ["no quantities", "Why is the sky blue?", []],
] as const)("statedQuantities: %s", (_name, text, expected) => {
  it("lists them canonically", () => {
    expect(statedQuantities(text)).toEqual(expected);
  });
});

const PROMPT = "Cindy has 4 pets. Marcia has two more pets than Cindy. Jan has three times as many as Marcia. Total?";

describe.each([
  [
    "a grounded, marked answer",
    "Marcia has 4 + 2 = 6 pets. Jan has 3 * 6 = 18. Together 4 + 6 + 18 = 28.\n#### 28",
    { ungrounded: 0, unusedQuantities: 0, marked: "28", finalUnsupported: false, truncated: false },
  ],
  [
    "an operand from nowhere",
    "Marcia has 4 + 2 = 6 pets. Jan has 3 * 47 = 141.\n#### 141",
    { ungrounded: 1, unusedQuantities: 0, marked: "141", finalUnsupported: false, truncated: false },
  ],
  [
    "a final answer the reasoning never reached",
    "Marcia has 4 + 2 = 6 pets and Jan three times that.\n#### 28",
    { ungrounded: 0, unusedQuantities: 0, marked: "28", finalUnsupported: true, truncated: false },
  ],
  [
    "an unclosed calculator annotation",
    "Marcia has 4 + 2 = <<4+2=6>>6 pets, Jan 3 * 6 = <<3*",
    { ungrounded: 0, unusedQuantities: 0, marked: undefined, finalUnsupported: false, truncated: true },
  ],
  [
    "a sentence left open without an answer",
    "Let M be Marcia's pets. Then M = 4 + 2 and simplifying t",
    { ungrounded: 0, unusedQuantities: 1, marked: undefined, finalUnsupported: false, truncated: true },
  ],
  [
    "a question's quantity left unused",
    "Marcia has 4 + 2 = 6 pets.\n#### 6",
    { ungrounded: 0, unusedQuantities: 1, marked: "6", finalUnsupported: false, truncated: false },
  ],
] as const)("answerSignals: %s", (_name, answer, expected) => {
  it("reads the answer's signals", () => {
    const s = answerSignals(PROMPT, answer);
    expect({
      ungrounded: s.ungrounded,
      unusedQuantities: s.unusedQuantities,
      marked: s.marked,
      finalUnsupported: s.finalUnsupported,
      truncated: s.truncated,
    }).toEqual(expected);
  });
});

describe.each([
  ["a clean answer", "4 + 2 = 6\n#### 6", undefined, []],
  ["a wrong step", "4 + 2 = 7\n#### 7", undefined, ["arithmetic"]],
  ["visibly cut off", "4 + 2 = <<4+2", undefined, ["truncated"]],
  ["cut off by the upstream (length wins over the visible cut)", "4 + 2 = <<4+2", "length", ["length"]],
  ["a chat answer without final punctuation is not cut", "Here are three ideas\n- walk\n- read", undefined, []],
  ["a C++ stream operator is not an annotation", 'std::cout << "hi"', undefined, []],
  ["empty", " ", undefined, ["empty"]],
  ["empty and cut off", "", "length", ["empty", "length"]],
  ["a refusal", "I'm sorry, I can't help with that.", undefined, ["refusal"]],
] as const)("failedChecks: %s", (_name, answer, finishReason, expected) => {
  it("names the deterministic checks that fail", () => {
    const facts = { prompt: "Add 4 and 2.", answer, ...(finishReason === undefined ? {} : { finishReason }) };
    expect(failedChecks(facts)).toEqual(expected);
  });
});

describe("answerFeatures", () => {
  it("computes the new signals as features (a non-integer final answer to an integer question)", () => {
    const f = answerFeatures({ prompt: "Split 7 apples between 2 children.", answer: "7 / 2 = 3.5\n#### 3.5" }, [
      "final_marked",
      "final_fraction_integer_prompt",
      "truncated",
      "operands_ungrounded",
      "quantities_unused",
    ]);
    expect(f).toEqual([1, 1, 0, 0, 0]);
  });
});
