import { lengthLogRatio } from "../../src/cache/decision/score";
import { jaccard, lightStem, type TextFeatures } from "../../src/cache/decision/text-features";
import { VETO_NAMES, VETOES } from "../../src/cache/decision/vetoes";

/**
 * Numeric facts about one (query, candidate) pair: the input of the learned model the eval tries (learned.ts). All
 * as cheap as the shipped decision's own checks (set intersections over words and character trigrams, no model
 * call), so a model over them could run in the Worker if it ever beat the shipped decision. Symmetric in the texts.
 */

export const PAIR_VECTOR_NAMES = [
  "cosine",
  "content-jaccard",
  "content-containment",
  "word-jaccard",
  "bigram-jaccard",
  "trigram-jaccard",
  "content-only-max",
  "content-only-min",
  "content-shared",
  "length-log-ratio",
  "words-min-log",
  "unshared-longest",
  ...VETO_NAMES,
  "first-word-same",
  "order-swap",
  "person-differs",
  "preposition-differs",
] as const;

/** Per-text sets the pair features need beyond TextFeatures; built once per analysed text and remembered. */
interface Derived {
  bigrams: ReadonlySet<string>;
  trigrams: ReadonlySet<string>;
}

/** Long prompts are compared on their head: trigram sets beyond this many characters cost more than they tell. */
const TRIGRAM_CHARS = 2000;

const derivedCache = new WeakMap<TextFeatures, Derived>();

function derived(t: TextFeatures): Derived {
  const known = derivedCache.get(t);
  if (known !== undefined) return known;
  const bigrams = new Set<string>();
  for (let i = 1; i < t.words.length; i++) bigrams.add(`${t.words[i - 1]} ${t.words[i]}`);
  const joined = ` ${t.words.join(" ")} `.slice(0, TRIGRAM_CHARS);
  const trigrams = new Set<string>();
  for (let i = 0; i + 3 <= joined.length; i++) trigrams.add(joined.slice(i, i + 3));
  const d = { bigrams, trigrams };
  derivedCache.set(t, d);
  return d;
}

/** Two content words both texts share, in opposite orders ("Croats think of Turks" / "Turks think of Croats"). */
function orderSwapped(a: TextFeatures, b: TextFeatures): boolean {
  // Content words are stemmed, so positions are looked up by stem.
  const firstInB = new Map<string, number>();
  for (const [i, w] of b.words.entries()) {
    const stem = lightStem(w);
    if (!firstInB.has(stem) && a.content.has(stem) && b.content.has(stem)) firstInB.set(stem, i);
  }
  let last = -1;
  const seen = new Set<string>();
  for (const w of a.words) {
    const stem = lightStem(w);
    const j = firstInB.get(stem);
    if (j === undefined || seen.has(stem)) continue;
    seen.add(stem);
    if (j < last) return true;
    last = j;
  }
  return false;
}

const FIRST_PERSON = new Set(["i", "me", "my", "mine", "myself", "i'm", "i've", "i'd", "i'll", "we", "us", "our"]);
const SECOND_PERSON = new Set(["you", "your", "yours", "yourself", "you're", "you've", "you'd", "you'll"]);

function person(t: TextFeatures): number {
  let p = 0;
  for (const w of t.wordSet) {
    if (FIRST_PERSON.has(w)) p |= 1;
    else if (SECOND_PERSON.has(w)) p |= 2;
  }
  return p;
}

const PREPOSITIONS = new Set(
  "in on at after before from to for with without over under between against into during since until within".split(" "),
);

function prepositionsDiffer(a: TextFeatures, b: TextFeatures): boolean {
  for (const w of a.wordSet) if (PREPOSITIONS.has(w) && !b.wordSet.has(w)) return true;
  for (const w of b.wordSet) if (PREPOSITIONS.has(w) && !a.wordSet.has(w)) return true;
  return false;
}

const ln1p = (n: number): number => Math.log(1 + n);

/** The features in PAIR_VECTOR_NAMES order; flags are 0 or 1. */
export function pairVector(a: TextFeatures, b: TextFeatures, cosine: number): number[] {
  let shared = 0;
  let unsharedLongest = 0;
  for (const w of a.content) {
    if (b.content.has(w)) shared += 1;
    else unsharedLongest = Math.max(unsharedLongest, w.length);
  }
  for (const w of b.content) if (!a.content.has(w)) unsharedLongest = Math.max(unsharedLongest, w.length);
  const onlyA = a.content.size - shared;
  const onlyB = b.content.size - shared;
  const smaller = Math.min(a.content.size, b.content.size);
  const da = derived(a);
  const db = derived(b);
  const flag = (x: boolean): number => (x ? 1 : 0);
  return [
    cosine,
    jaccard(a.content, b.content),
    smaller === 0 ? flag(a.content.size === b.content.size) : shared / smaller,
    jaccard(a.wordSet, b.wordSet),
    jaccard(da.bigrams, db.bigrams),
    jaccard(da.trigrams, db.trigrams),
    ln1p(Math.max(onlyA, onlyB)),
    ln1p(Math.min(onlyA, onlyB)),
    ln1p(shared),
    lengthLogRatio(a, b),
    ln1p(Math.min(a.words.length, b.words.length)),
    unsharedLongest,
    flag(VETOES.numbers(a, b)),
    flag(VETOES["number-swap"](a, b)),
    flag(VETOES.negation(a, b)),
    flag(VETOES.entities(a, b)),
    flag(VETOES["entity-swap"](a, b)),
    flag(VETOES["question-word"](a, b)),
    flag(VETOES.antonyms(a, b)),
    flag(VETOES["entity-order"](a, b)),
    flag(VETOES.substitution(a, b)),
    flag(a.words[0] !== undefined && a.words[0] === b.words[0]),
    flag(orderSwapped(a, b)),
    flag(person(a) !== person(b)),
    flag(prepositionsDiffer(a, b)),
  ];
}
