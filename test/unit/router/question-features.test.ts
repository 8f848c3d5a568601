import { describe, expect, it } from "vitest";
import { lexicalFeatures } from "../../../src/routing/router/features";
import { questionStats } from "../../../src/routing/router/question-features";

const MCQ = "Which of the following is NOT a prime?\nA. 2\nB. 3\nC. 9\nD. 11\nAnswer:";
const WORDY =
  "Suppose a firm doubles its output. Then which of the following must rise?\nA. total cost\nB. average cost\nC. the marginal cost\nD. fixed cost\nAnswer:";
const CLAIMS =
  "Statement 1 | Every group of order 4 is abelian. Statement 2 | Every ring has a unit.\nA. True, True\nB. False, False\nC. True, False\nD. False, True";
const STORY = "A man sold his car to a woman. She paid him later. Was the sale valid?";

describe.each([
  [
    "a numeric multiple-choice question with a capitalised negation",
    MCQ,
    {
      stemChars: 39,
      options: 4,
      optionMeanChars: 1.25,
      optionSpread: 0.5,
      optionOverlap: 1,
      optionNumericShare: 1,
      negations: 2,
      whichOfTheFollowing: true,
      stepWords: 0,
      claims: 0,
      pronounShare: 0,
    },
  ],
  [
    "multi-step wording and overlapping options",
    WORDY,
    {
      stemChars: 74,
      options: 4,
      optionMeanChars: (10 + 12 + 17 + 10) / 4,
      optionSpread: (17 - 10) / 17,
      // {total,cost} {average,cost} {the,marginal,cost} {fixed,cost}: three pairs share 1 of 3 words, three 1 of 4.
      optionOverlap: (3 / 3 + 3 / 4) / 6,
      optionNumericShare: 0,
      negations: 0,
      whichOfTheFollowing: true,
      stepWords: 2,
      claims: 0,
      pronounShare: 0,
    },
  ],
  [
    "two statements judged together",
    CLAIMS,
    {
      stemChars: 86,
      options: 4,
      optionMeanChars: (10 + 12 + 11 + 11) / 4,
      optionSpread: (12 - 10) / 12,
      // {true} {false} {true,false} {false,true}: one disjoint pair, four at 1/2, one identical pair.
      optionOverlap: (0 + 4 / 2 + 1) / 6,
      optionNumericShare: 0,
      negations: 0,
      whichOfTheFollowing: false,
      stepWords: 0,
      claims: 2,
      pronounShare: 0,
    },
  ],
  [
    "a narrated scenario without options",
    STORY,
    {
      stemChars: STORY.length,
      options: 0,
      optionMeanChars: 0,
      optionSpread: 0,
      optionOverlap: 0,
      optionNumericShare: 0,
      negations: 0,
      whichOfTheFollowing: false,
      stepWords: 0,
      claims: 0,
      // his, She, him of 16 words.
      pronounShare: 3 / 16,
    },
  ],
])("questionStats: %s", (_name, text, expected) => {
  it("reads the question's structure", () => {
    const stats = questionStats(text);
    for (const [key, value] of Object.entries(expected)) {
      expect([key, stats[key as keyof typeof stats]]).toEqual([
        key,
        typeof value === "number" ? expect.closeTo(value, 9) : value,
      ]);
    }
  });
});

describe.each([
  ["stem_log_chars", MCQ, Math.log1p(39)],
  ["option_log_chars", MCQ, Math.log1p(1.25)],
  ["negations", MCQ, Math.log1p(2)],
  ["which_of_following", MCQ, 1],
  ["step_words", WORDY, Math.log1p(2)],
  ["claims", CLAIMS, Math.log1p(2)],
  // "I.", "II.", "I only", "I and"; the final "II" is neither followed by a period nor by and/only.
  ["claims", "Which hold?\nI. Cats purr.\nII. Dogs bark.\nA. I only\nB. I and II", Math.log1p(4)],
  ["option_numeric_share", "What is 2 + 2?", 0],
] as const)("lexicalFeatures: %s", (name, text, expected) => {
  it("is computed from the question's structure", () => {
    const [value] = lexicalFeatures(
      { text, estimatedTokens: 10, turns: 1, hasTools: false, hasResponseFormat: false },
      [name],
    );
    expect(value).toBeCloseTo(expected, 12);
  });
});
