/**
 * Signals of a question's difficulty that do not depend on its topic, so they carry over to subjects a router never
 * saw: how the question is worded (negations, "which of the following", multi-step wording, enumerated claims) and,
 * for multiple-choice prompts, the shape of the options (their length, how alike they are, numeric answers). Options
 * are lines that start with a letter label ("A. …", "(b) …", "C) …"); a prompt without them gets zeros there.
 */

export interface QuestionStats {
  /** Characters before the first option line (the whole text when there are none). */
  stemChars: number;
  options: number;
  /** Mean option length in characters (0 without options). */
  optionMeanChars: number;
  /** (longest − shortest) / longest option, 0..1. */
  optionSpread: number;
  /** Mean pairwise Jaccard overlap of the options' word sets, 0..1. */
  optionOverlap: number;
  /** Share of options that are numbers (with units or symbols at most). */
  optionNumericShare: number;
  /** Negation markers in the stem ("not", "except", "incorrect", "least", …); in capitals (NOT, EXCEPT) they count twice. */
  negations: number;
  whichOfTheFollowing: boolean;
  /** Words that announce several steps or a computation: "calculate", "suppose", "then", "how many", … */
  stepWords: number;
  /** Enumerated claims to judge together: "Statement 1", roman numerals "I.", "II.", "III". */
  claims: number;
  /** Share of the stem's words that are third-person pronouns: a narrated scenario ("a man … he …"). */
  pronounShare: number;
}

const OPTION_LINE = /^\s*\(?([A-Ha-h])[.)]\s+(.*)$/;
const WORD = /[A-Za-z]+/g;
const CAPS_NEGATION = /\b(?:NOT|EXCEPT|LEAST|FALSE|INCORRECT|NEVER)\b/g;
const NEGATION = /\b(?:not|except|incorrect|false|least|never|cannot|isn't|doesn't|wasn't)\b/gi;
const WHICH_OF = /\bwhich (?:one )?of the following\b/i;
const STEP_WORDS =
  /\b(?:calculate|compute|determine|find|solve|evaluate|estimate|suppose|assume|assuming|given|then|after|if|how many|how much|what is the value|total)\b/gi;
const STATEMENTS = /\bstatement\s*[12]\b/gi;
// "I. …", "II and III", "I only": roman-numbered claims (case-sensitive, so the pronoun "I" rarely matches).
const ROMAN_CLAIMS = /\b(?:I{1,3}|IV)(?:\.|\s+(?:and|only)\b)/g;
const PRONOUN = /^(?:he|she|his|her|him|they|their|them)$/i;
const NUMERIC_OPTION = /^[-−+]?[$€£]?\s*\d[\d.,/^×x*eE\s-]*\s*[%a-zA-Zμ°/²³]{0,6}\.?$/;

function count(text: string, pattern: RegExp): number {
  pattern.lastIndex = 0;
  let n = 0;
  while (pattern.exec(text) !== null) n++;
  return n;
}

function wordSet(text: string): Set<string> {
  return new Set(text.toLowerCase().match(WORD) ?? []);
}

function meanOverlap(sets: readonly Set<string>[]): number {
  let sum = 0;
  let pairs = 0;
  for (let a = 0; a < sets.length; a++) {
    for (let b = a + 1; b < sets.length; b++) {
      const x = sets[a] as Set<string>;
      const y = sets[b] as Set<string>;
      let common = 0;
      for (const w of x) if (y.has(w)) common++;
      const union = x.size + y.size - common;
      sum += union === 0 ? 1 : common / union;
      pairs++;
    }
  }
  return pairs === 0 ? 0 : sum / pairs;
}

export function questionStats(text: string): QuestionStats {
  const lines = text.split("\n");
  const options: string[] = [];
  let stemEnd = text.length;
  let offset = 0;
  for (const line of lines) {
    const m = OPTION_LINE.exec(line);
    if (m !== null) {
      if (options.length === 0) stemEnd = offset;
      options.push((m[2] ?? "").trim());
    }
    offset += line.length + 1;
  }
  const stem = text.slice(0, stemEnd);
  const lengths = options.map((o) => o.length);
  const longest = Math.max(0, ...lengths);
  const stemWords = stem.match(WORD) ?? [];
  return {
    stemChars: stem.length,
    options: options.length,
    optionMeanChars: lengths.length === 0 ? 0 : lengths.reduce((a, b) => a + b, 0) / lengths.length,
    optionSpread: longest === 0 ? 0 : (longest - Math.min(...lengths)) / longest,
    optionOverlap: meanOverlap(options.map(wordSet)),
    optionNumericShare:
      options.length === 0 ? 0 : options.filter((o) => NUMERIC_OPTION.test(o)).length / options.length,
    negations: count(stem, CAPS_NEGATION) + count(stem, NEGATION),
    whichOfTheFollowing: WHICH_OF.test(stem),
    stepWords: count(stem, STEP_WORDS),
    claims: count(text, STATEMENTS) + count(text, ROMAN_CLAIMS),
    pronounShare: stemWords.length === 0 ? 0 : stemWords.filter((w) => PRONOUN.test(w)).length / stemWords.length,
  };
}
