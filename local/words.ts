/**
 * The token definition of the fake upstream and the local origin: one token is one whitespace-separated word.
 * Both servers report usage with it, and tests import it, so billing assertions compare like with like.
 */

export function splitWords(text: string): string[] {
  return text.split(/\s+/).filter((w) => w !== "");
}

export function countTokens(text: string): number {
  return splitWords(text).length;
}

/** Stream pieces of a word list: each piece is one token, and joining the pieces gives the words joined by spaces. */
export function wordPieces(words: readonly string[]): string[] {
  return words.map((w, i) => (i === 0 ? w : ` ${w}`));
}

/** Fixed-size slices of a string, for streaming tool-call arguments in several deltas as real upstreams do. */
export function sliceString(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length > 0 ? out : [""];
}
