import type { TextFeatures } from "./text-features";

/**
 * Lexical vetoes: pairs that an embedding puts close together although they ask different things. Each one looks at
 * both texts' features and says whether they differ in a way that changes the answer. Symmetric by construction.
 */

export const VETO_NAMES = [
  "numbers",
  "number-swap",
  "negation",
  "entities",
  "entity-swap",
  "question-word",
  "antonyms",
  "entity-order",
  "substitution",
] as const;

export type VetoName = (typeof VETO_NAMES)[number];

function someMissing(from: ReadonlySet<string>, within: ReadonlySet<string>): boolean {
  for (const x of from) if (!within.has(x)) return true;
  return false;
}

/** "4g" vs "3g", "10 years" vs "20 years", "iPhone 6" vs "iPhone 7". */
function numbersDiffer(a: TextFeatures, b: TextFeatures): boolean {
  return someMissing(a.numbers, b.numbers) || someMissing(b.numbers, a.numbers);
}

/**
 * Both sides name a number the other lacks ("Windows 8" vs "Windows 10"), as opposed to one side only adding one
 * ("fun things to do at a sleepover" vs "... with three people"), which paraphrases do far more often.
 */
function numbersSwapped(a: TextFeatures, b: TextFeatures): boolean {
  return someMissing(a.numbers, b.numbers) && someMissing(b.numbers, a.numbers);
}

/** "Why do cats purr?" vs "Why don't cats purr?": one side negates and the other does not. */
function negationDiffers(a: TextFeatures, b: TextFeatures): boolean {
  return a.negations > 0 !== b.negations > 0;
}

/**
 * A capitalised word on one side whose lower-cased form is absent from the other ("Trump" vs "Obama"). Compared
 * against all the other side's words, not its capitalised ones, because users capitalise inconsistently.
 */
function entitiesDiffer(a: TextFeatures, b: TextFeatures): boolean {
  return someMissing(a.capitalised, b.wordSet) || someMissing(b.capitalised, a.wordSet);
}

/** Both sides name something the other does not ("IIT Delhi" vs "IIT Guwahati"), not just one side adding a name. */
function entitiesSwapped(a: TextFeatures, b: TextFeatures): boolean {
  return someMissing(a.capitalised, b.wordSet) && someMissing(b.capitalised, a.wordSet);
}

/**
 * "What/which/how" are freely swapped by paraphrases ("How can I learn X?" = "What is the best way to learn X?"), so
 * they form one class; why/when/where/who each ask for a different kind of answer.
 */
const QUESTION_CLASS: Readonly<Record<string, string>> = {
  what: "what",
  which: "what",
  how: "what",
  why: "why",
  when: "when",
  where: "where",
  who: "who",
  whom: "who",
  whose: "who",
};

function questionWordDiffers(a: TextFeatures, b: TextFeatures): boolean {
  if (a.questionWord === undefined || b.questionWord === undefined) return false;
  return QUESTION_CLASS[a.questionWord] !== QUESTION_CLASS[b.questionWord];
}

const ANTONYM_PAIRS: readonly (readonly [string, string])[] = [
  ["best", "worst"],
  ["good", "bad"],
  ["better", "worse"],
  ["more", "less"],
  ["most", "least"],
  ["increase", "decrease"],
  ["buy", "sell"],
  ["before", "after"],
  ["advantages", "disadvantages"],
  ["pros", "cons"],
  ["male", "female"],
  ["men", "women"],
  ["man", "woman"],
  ["boy", "girl"],
  ["boys", "girls"],
  ["positive", "negative"],
  ["start", "stop"],
  ["rich", "poor"],
  ["cheap", "expensive"],
  ["love", "hate"],
  ["old", "new"],
  ["first", "last"],
  ["win", "lose"],
  ["true", "false"],
  ["high", "low"],
  ["higher", "lower"],
  ["big", "small"],
  ["bigger", "smaller"],
  ["easy", "hard"],
  ["fast", "slow"],
  ["hot", "cold"],
  ["import", "export"],
  ["online", "offline"],
  ["north", "south"],
  ["east", "west"],
  ["left", "right"],
  ["min", "max"],
  ["minimum", "maximum"],
  ["legal", "illegal"],
  ["possible", "impossible"],
  ["happy", "sad"],
  ["pass", "fail"],
  ["gain", "lose"],
  ["add", "remove"],
  ["enable", "disable"],
  ["encrypt", "decrypt"],
  ["upload", "download"],
  ["input", "output"],
];

const ANTONYMS = new Map<string, string[]>();
for (const [x, y] of ANTONYM_PAIRS) {
  ANTONYMS.set(x, [...(ANTONYMS.get(x) ?? []), y]);
  ANTONYMS.set(y, [...(ANTONYMS.get(y) ?? []), x]);
}

/** One side says "best" where the other says "worst" (and neither mentions both). */
function antonymSwap(a: TextFeatures, b: TextFeatures): boolean {
  for (const w of a.wordSet) {
    if (b.wordSet.has(w)) continue;
    for (const opposite of ANTONYMS.get(w) ?? []) {
      if (b.wordSet.has(opposite) && !a.wordSet.has(opposite)) return true;
    }
  }
  return false;
}

/** Order of first occurrence of each capitalised word that both sides share. */
function sharedEntityOrder(a: TextFeatures, b: TextFeatures): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const w of a.words) {
    if (seen.has(w) || !(a.capitalised.has(w) || b.capitalised.has(w)) || !b.wordSet.has(w)) continue;
    seen.add(w);
    out.push(w);
  }
  return out;
}

/** The same names in a different order: "people in Denver think of Seattle" vs "people in Seattle think of Denver". */
function entityOrderDiffers(a: TextFeatures, b: TextFeatures): boolean {
  const inA = sharedEntityOrder(a, b);
  if (inA.length < 2) return false;
  const inB = sharedEntityOrder(b, a);
  return inA.some((w, i) => inB[i] !== w);
}

/**
 * One content word swapped for another with the rest shared ("a blue heeler mix" vs "a red heeler mix", "women in
 * their forties" vs "fifties"): an embedding sees a near-identical sentence, but the question is about something else.
 */
function substitution(a: TextFeatures, b: TextFeatures): boolean {
  let onlyA = 0;
  let shared = 0;
  for (const w of a.content) {
    if (b.content.has(w)) shared += 1;
    else onlyA += 1;
  }
  const onlyB = b.content.size - shared;
  return onlyA === 1 && onlyB === 1 && shared >= 2;
}

export const VETOES: Readonly<Record<VetoName, (a: TextFeatures, b: TextFeatures) => boolean>> = {
  numbers: numbersDiffer,
  "number-swap": numbersSwapped,
  negation: negationDiffers,
  entities: entitiesDiffer,
  "entity-swap": entitiesSwapped,
  "question-word": questionWordDiffers,
  antonyms: antonymSwap,
  "entity-order": entityOrderDiffers,
  substitution,
};

/** The first veto (in `names` order) that fires, if any. */
export function firstVeto(names: readonly VetoName[], a: TextFeatures, b: TextFeatures): VetoName | undefined {
  return names.find((name) => VETOES[name](a, b));
}
