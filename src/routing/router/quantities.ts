/**
 * The quantities a text states, as canonical number strings (`1200`, `0.5`): digits (thousands commas dropped) and
 * the number words word problems use (`five`, `twice`, `a dozen`, `half`). A verifier compares the question's
 * quantities with those the answer uses; a question that says "five times" and an answer that multiplies by 5
 * agree, which a digits-only reading would miss.
 */

const DIGITS = /-?\d[\d,]*(?:\.\d+)?/g;

const WORDS: Record<string, number> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
  hundred: 100,
  thousand: 1000,
  dozen: 12,
  twice: 2,
  double: 2,
  thrice: 3,
  triple: 3,
  half: 2,
  halves: 2,
  third: 3,
  thirds: 3,
  quarter: 4,
  quarters: 4,
  fourth: 4,
  fifth: 5,
  fifths: 5,
  pair: 2,
};

const WORD = new RegExp(`\\b(?:${Object.keys(WORDS).join("|")})\\b`, "gi");

/** Canonical string of a number: `1,200.50` → `1200.5`. */
export function canonicalNumber(raw: string): string {
  const n = Number(raw.replace(/,/g, ""));
  return Number.isFinite(n) ? String(n) : raw;
}

/** Numbers written in digits, in order, canonical. */
export function digitNumbers(text: string): string[] {
  return (text.match(DIGITS) ?? []).map(canonicalNumber);
}

/** Numbers written in digits or as number words, canonical (order: digits first, then words). */
export function statedQuantities(text: string): string[] {
  const words = (text.match(WORD) ?? []).map((w) => String(WORDS[w.toLowerCase()] ?? ""));
  return [...digitNumbers(text), ...words.filter((w) => w !== "")];
}
