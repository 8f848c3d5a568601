/**
 * The learned router's cheap request features. One implementation serves training (scripts/router-train.ts) and the
 * Worker, so a model never sees features computed differently from the ones it was fitted on. Each is a number of
 * comparable scale (logs of counts, shares in 0..1); the artifact's own mean and scale standardise them.
 */

import { LEXICAL_FEATURES, type LexicalFeature } from "../../policy/artifact-types";
import { type QuestionStats, questionStats } from "./question-features";

export { LEXICAL_FEATURES, type LexicalFeature };

/** What the router reads from a request (the embedding is passed separately: it is shared with the cache). */
export interface RouterRequestFacts {
  /** The text that is embedded: the last message's text, as the response cache embeds it. */
  text: string;
  /** The whole request's estimated prompt tokens (src/routing/token-estimate.ts). */
  estimatedTokens: number;
  /** Messages in the request. */
  turns: number;
  hasTools: boolean;
  hasResponseFormat: boolean;
}

export function isLexicalFeature(name: string): name is LexicalFeature {
  return (LEXICAL_FEATURES as readonly string[]).includes(name);
}

interface TextStats {
  chars: number;
  digits: number;
  numbers: number;
  mathSymbols: number;
  latex: number;
  code: number;
  questionMarks: number;
  words: number;
  longWords: number;
  lines: number;
}

const CODE_MARKERS = /```|\bdef \w+\(|\bfunction\b|=>|\breturn\b|[{};]\s*$|#include|\bclass \w+|\bimport \w+/gm;
const NUMBER = /\d+(?:[.,]\d+)*/g;
const MATH_SYMBOL = /[=+*/^<>≤≥±×÷√∑∫π%]/g;
const LATEX = /\\(?:frac|sqrt|sum|int|cdot|times|left|right|pi|alpha|beta|theta|mathbb|le|ge)\b|\$[^$\n]+\$/g;
const WORD = /[A-Za-z]+/g;
// Seven letters and up: a cheap proxy for technical vocabulary.
const LONG_WORD_LETTERS = 7;

function count(text: string, pattern: RegExp): number {
  pattern.lastIndex = 0;
  let n = 0;
  while (pattern.exec(text) !== null) n++;
  return n;
}

function textStats(text: string): TextStats {
  let digits = 0;
  let questionMarks = 0;
  let lines = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c === 63) questionMarks++;
    else if (c === 10) lines++;
  }
  let words = 0;
  let longWords = 0;
  WORD.lastIndex = 0;
  for (let m = WORD.exec(text); m !== null; m = WORD.exec(text)) {
    words++;
    if (m[0].length >= LONG_WORD_LETTERS) longWords++;
  }
  return {
    chars: text.length,
    digits,
    numbers: count(text, NUMBER),
    mathSymbols: count(text, MATH_SYMBOL),
    latex: count(text, LATEX),
    code: count(text, CODE_MARKERS),
    questionMarks,
    words,
    longWords,
    lines,
  };
}

const share = (part: number, whole: number) => (whole === 0 ? 0 : part / whole);

type Compute = (f: RouterRequestFacts, s: TextStats, q: () => QuestionStats) => number;

const COMPUTE: Record<LexicalFeature, Compute> = {
  log_tokens: (f) => Math.log1p(Math.max(0, f.estimatedTokens)),
  log_chars: (_, s) => Math.log1p(s.chars),
  code: (_, s) => Math.min(1, s.code / 3),
  digit_share: (_, s) => share(s.digits, s.chars),
  math_symbols: (_, s) => Math.log1p(s.mathSymbols),
  log_numbers: (_, s) => Math.log1p(s.numbers),
  latex: (_, s) => Math.log1p(s.latex),
  log_turns: (f) => Math.log(Math.max(1, f.turns)),
  tools: (f) => (f.hasTools ? 1 : 0),
  response_format: (f) => (f.hasResponseFormat ? 1 : 0),
  question_marks: (_, s) => Math.log1p(s.questionMarks),
  long_word_share: (_, s) => share(s.longWords, s.words),
  log_lines: (_, s) => Math.log(s.lines),
  stem_log_chars: (_, __, q) => Math.log1p(q().stemChars),
  option_log_chars: (_, __, q) => Math.log1p(q().optionMeanChars),
  option_spread: (_, __, q) => q().optionSpread,
  option_overlap: (_, __, q) => q().optionOverlap,
  option_numeric_share: (_, __, q) => q().optionNumericShare,
  negations: (_, __, q) => Math.log1p(q().negations),
  which_of_following: (_, __, q) => (q().whichOfTheFollowing ? 1 : 0),
  step_words: (_, __, q) => Math.log1p(q().stepWords),
  claims: (_, __, q) => Math.log1p(q().claims),
  pronoun_share: (_, __, q) => q().pronounShare,
};

/** The named features of one request, in the order given (the artifact's order). */
export function lexicalFeatures(facts: RouterRequestFacts, names: readonly LexicalFeature[]): number[] {
  const stats = textStats(facts.text);
  // The question's structure is parsed only when the artifact names one of its features.
  let question: QuestionStats | undefined;
  const q = () => {
    question ??= questionStats(facts.text);
    return question;
  };
  return names.map((name) => COMPUTE[name](facts, stats, q));
}
