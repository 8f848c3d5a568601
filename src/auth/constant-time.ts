/**
 * Comparisons whose running time does not depend on where two secrets first differ, so an attacker timing many
 * guesses learns nothing about the stored value. Lengths are not hidden: callers compare fixed-length digests (hash
 * first when the inputs are secrets of arbitrary length).
 */

type TimingSafeEqual = (a: ArrayBufferView, b: ArrayBufferView) => boolean;

// workerd provides `crypto.subtle.timingSafeEqual`; other runtimes (Node tests) get the portable loop.
function native(): TimingSafeEqual | undefined {
  const candidate = (crypto.subtle as unknown as { timingSafeEqual?: unknown }).timingSafeEqual;
  return typeof candidate === "function" ? (candidate.bind(crypto.subtle) as TimingSafeEqual) : undefined;
}

/** XOR-accumulate over every byte: no early exit, no data-dependent branch. */
export function constantTimeLoop(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

export function timingSafeEqualBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  const builtin = native();
  return builtin === undefined ? constantTimeLoop(a, b) : builtin(a, b);
}

const encoder = new TextEncoder();

/** Constant-time equality of two strings of equal length (e.g. two hex digests); different lengths are unequal. */
export function timingSafeEqualString(a: string, b: string): boolean {
  return timingSafeEqualBytes(encoder.encode(a), encoder.encode(b));
}
