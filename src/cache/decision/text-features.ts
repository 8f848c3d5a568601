/**
 * Cheap lexical facts about a prompt, for telling apart two prompts that an embedding puts close together but that
 * ask different things. Pure and allocation-light: it runs on the Worker's hot path for every cache candidate.
 */

import { type ScriptProfile, scriptProfile } from "./script-profile";

export interface TextFeatures {
  /** Lower-cased word tokens (letters, digits, inner apostrophes), in order. */
  words: string[];
  wordSet: ReadonlySet<string>;
  /** `words` minus stopwords, question words and negations, lightly stemmed: what the prompt is about. */
  content: ReadonlySet<string>;
  /** Normalised numbers (digits without separators; number words up to twenty become digits). */
  numbers: ReadonlySet<string>;
  /** How many negation markers the text has (not, never, no, n't, without, ...). */
  negations: number;
  /** The first wh-question word, if any (what, why, how, when, where, who, which). */
  questionWord: string | undefined;
  /** Lower-cased forms of words written with a capital letter anywhere but at the start of a sentence. */
  capitalised: ReadonlySet<string>;
  /** The writing system of the letters (for the representability guard). */
  script: ScriptProfile;
}

const STOPWORDS = new Set(
  (
    "a an the and or but if then else of at by for with about against between into through during before after " +
    "above below to from up down in out on off over under again further once here there all any both each few more " +
    "most other some such only own same so than too very s t can will just should now i me my myself we our ours " +
    "you your yours he him his she her hers it its they them their theirs this that these those am is are was were " +
    "be been being have has had having do does did doing would could shall may might must also as get got one's " +
    "i'm i've it's what's someone something anyone anything way ways best good really much many like"
  ).split(" "),
);

export const QUESTION_WORDS: ReadonlySet<string> = new Set([
  "what",
  "why",
  "how",
  "when",
  "where",
  "who",
  "whom",
  "whose",
  "which",
]);

const NEGATION_WORDS = new Set([
  "not",
  "no",
  "never",
  "none",
  "nobody",
  "nothing",
  "neither",
  "nor",
  "nowhere",
  "without",
  "cannot",
  // Quora-style and chat-style spellings without the apostrophe.
  "dont",
  "doesnt",
  "didnt",
  "cant",
  "wont",
  "isnt",
  "arent",
  "wasnt",
  "werent",
  "shouldnt",
  "wouldnt",
  "couldnt",
  "havent",
  "hasnt",
  "hadnt",
  "aint",
]);

const NUMBER_WORDS: Readonly<Record<string, string>> = {
  zero: "0",
  two: "2",
  three: "3",
  four: "4",
  five: "5",
  six: "6",
  seven: "7",
  eight: "8",
  nine: "9",
  ten: "10",
  eleven: "11",
  twelve: "12",
  thirteen: "13",
  fourteen: "14",
  fifteen: "15",
  sixteen: "16",
  seventeen: "17",
  eighteen: "18",
  nineteen: "19",
  twenty: "20",
  hundred: "100",
  thousand: "1000",
  million: "1000000",
  billion: "1000000000",
};

// "one" is left out of NUMBER_WORDS on purpose: it is far more often a pronoun ("which one", "one should") than a count.
const TOKEN = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;
const HAS_DIGIT = /\p{N}/u;
const SENTENCE_END = /[.!?:\n]\s*$/u;

/**
 * A deliberately crude suffix stripper ("learning" = "learn", "cities" = "city", "books" = "book"): enough for word
 * overlap to stop counting inflections as different words. Not a linguistic stemmer; digits are left alone.
 */
export function lightStem(word: string): string {
  if (word.length <= 4 || HAS_DIGIT.test(word)) return word;
  if (word.endsWith("ies")) return `${word.slice(0, -3)}y`;
  if (word.endsWith("ing") && word.length > 5) return word.slice(0, -3);
  if (word.endsWith("ed") && word.length > 5) return word.slice(0, -2);
  if (word.endsWith("es") && /(?:ch|sh|x|ss)es$/u.test(word)) return word.slice(0, -2);
  if (word.endsWith("s") && !word.endsWith("ss") && !word.endsWith("us") && !word.endsWith("is")) {
    return word.slice(0, -1);
  }
  return word;
}

export function isNegation(word: string): boolean {
  return NEGATION_WORDS.has(word) || word.endsWith("n't");
}

const THOUSANDS = /^(\d+)k$/u;
// Currency written against the digits ("rs500", "500rs"): the amount is what matters.
const CURRENCY = /^(?:rs|inr|usd)?(\d+)(?:rs|inr|usd)?$/u;

/**
 * Leading zeros go ("007" = "7"), "15k" = "15000" and "rs500" = "500"; other tokens with digits ("4g", "5s", "m604n")
 * pass through whole, because their letters are part of what they name.
 */
function numberOf(word: string): string | undefined {
  const named = NUMBER_WORDS[word];
  if (named !== undefined) return named;
  if (!HAS_DIGIT.test(word)) return undefined;
  const thousands = THOUSANDS.exec(word)?.[1];
  const plain = thousands === undefined ? (CURRENCY.exec(word)?.[1] ?? word) : `${thousands}000`;
  return plain.replace(/^0+(?=\d)/u, "");
}

/** "why or why not", "whether or not", "if not more": a "not" that asks both ways negates nothing. */
const BOTH_WAYS_BEFORE_NOT = new Set(["or", "why", "if"]);

export function analyseText(text: string): TextFeatures {
  const words: string[] = [];
  const content = new Set<string>();
  const numbers = new Set<string>();
  const capitalised = new Set<string>();
  let negations = 0;
  let questionWord: string | undefined;
  // Thousands separators would otherwise split "10,000" into "10" and "000".
  const source = text.replace(/(\d),(?=\d{3}\b)/gu, "$1");
  for (const match of source.matchAll(TOKEN)) {
    const raw = match[0];
    const word = raw.toLowerCase().replaceAll("’", "'");
    const start = match.index;
    words.push(word);
    const n = numberOf(word);
    if (n !== undefined) numbers.add(n);
    if (isNegation(word)) {
      if (!(word === "not" && BOTH_WAYS_BEFORE_NOT.has(words[words.length - 2] ?? ""))) negations += 1;
    } else if (QUESTION_WORDS.has(word)) questionWord ??= word;
    else if (!STOPWORDS.has(word)) content.add(lightStem(word));
    const first = raw.charAt(0);
    const sentenceStart = start === 0 || SENTENCE_END.test(source.slice(Math.max(0, start - 3), start));
    if (!sentenceStart && word !== "i" && first !== first.toLowerCase()) capitalised.add(word);
  }
  return {
    words,
    wordSet: new Set(words),
    content,
    numbers,
    negations,
    questionWord,
    capitalised,
    script: scriptProfile(text),
  };
}

/** |A ∩ B| / |A ∪ B|; two empty sets count as identical. */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const x of a) if (b.has(x)) shared += 1;
  return shared / (a.size + b.size - shared);
}
