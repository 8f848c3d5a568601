import type { ScriptProfile } from "./script-profile";

/**
 * The guard in front of every semantic-cache decision (decide-hit.ts), whatever the threshold or policy: when the
 * embedder cannot represent a text, its cosine says nothing and a hit would serve a wrong answer.
 * - `script-mismatch`: query and entry are written mostly in different scripts (a cross-script "paraphrase" is not
 *   something a cache should guess at);
 * - `unrepresentable`: with an embedder whose vocabulary covers the Latin script only (the default assumption; a
 *   policy declares `embedder.multilingual: true` otherwise), a text with more than MAX_UNKNOWN_SHARE of its letters
 *   outside the Latin script is mostly unknown tokens to it.
 */

export type EmbedderCoverage = "latin" | "multilingual";

/** Above this share of letters the embedder has no tokens for, its vector is not trusted. */
export const MAX_UNKNOWN_SHARE = 0.3;

export function representabilityGuard(
  query: ScriptProfile,
  entry: ScriptProfile,
  coverage: EmbedderCoverage,
): "script-mismatch" | "unrepresentable" | undefined {
  if (query.dominant !== undefined && entry.dominant !== undefined && query.dominant !== entry.dominant) {
    return "script-mismatch";
  }
  if (coverage === "latin" && (query.nonLatinShare > MAX_UNKNOWN_SHARE || entry.nonLatinShare > MAX_UNKNOWN_SHARE)) {
    return "unrepresentable";
  }
  return undefined;
}
