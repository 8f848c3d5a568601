/**
 * A LEXICAL embedding, not a neural one: lower-cased word unigrams and bigrams are feature-hashed (signed) into a
 * fixed number of dimensions and the vector is L2-normalised. Texts that share words and word pairs get a high
 * cosine; paraphrases with different words do not. It is deterministic, needs no model weights, and is good enough
 * to exercise a semantic cache end to end on one machine.
 */

export const DEFAULT_EMBEDDING_DIMS = 256;

const encoder = new TextEncoder();

/** 32-bit FNV-1a; the seed gives independent hashes for the bucket and the sign. */
function fnv1a(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (const byte of encoder.encode(text)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export function embeddingWords(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== "");
}

function features(text: string): string[] {
  const words = embeddingWords(text);
  const out = words.map((w) => `u:${w}`);
  for (let i = 0; i + 1 < words.length; i++) out.push(`b:${words[i]} ${words[i + 1]}`);
  return out;
}

/** An all-zero vector when the text has no words (nothing to normalise). */
export function embedText(text: string, dims: number = DEFAULT_EMBEDDING_DIMS): number[] {
  const vector = new Array<number>(dims).fill(0);
  for (const f of features(text)) {
    const bucket = fnv1a(f, 0) % dims;
    // A second, independent hash picks the sign, so colliding features tend to cancel instead of pile up.
    const sign = (fnv1a(f, 0x5bd1e995) & 1) === 0 ? 1 : -1;
    vector[bucket] = (vector[bucket] ?? 0) + sign;
  }
  let norm = 0;
  for (const v of vector) norm += v * v;
  if (norm === 0) return vector;
  const scale = 1 / Math.sqrt(norm);
  return vector.map((v) => v * scale);
}

/** The gateway's own cosine (one implementation for the Worker, the local servers and their tests). */
export { cosine } from "../src/cache/vector";
