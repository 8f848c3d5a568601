import { analyseText, type CacheDecisionConfig, decideHit } from "./decision";
import type { CacheKeys } from "./scope";
import type { CacheEntry, SemanticCache } from "./types";

/** A stored entry found for a request, and how well it matched. */
export interface Found {
  how: "exact" | "semantic";
  entry: CacheEntry;
  /** Plain cosine (1 for an exact match). */
  cosine: number;
  /** The decision's score (1 for an exact match). */
  score: number;
}

export interface LookupResult {
  /** The entry that may answer the request, if any. */
  hit?: Found;
  /** The query embedding, when one was computed (reused to store the answer). */
  vector?: number[];
}

export interface LookupInput {
  cache: SemanticCache;
  keys: CacheKeys;
  /** Look up the exact key first. */
  exact: boolean;
  /** Computes the query embedding (once); absent when the semantic cache is not used for this request. */
  embed?: () => Promise<number[] | undefined>;
  decision: CacheDecisionConfig;
  now: number;
}

/** Nearest neighbours judged per request: the best few, so a vetoed closest entry does not hide a good second. */
const SEMANTIC_TOP_K = 4;

/**
 * Exact first, then semantic: the nearest entries of the same scope, each judged by the hit decision (which needs
 * both prompts' text), best cosine first. Store failures propagate (CacheUnavailableError): the caller bypasses.
 * The embedding is computed only after an exact miss, so an exact hit costs no embeddings call.
 */
export async function lookup(input: LookupInput): Promise<LookupResult> {
  const { cache, keys, now } = input;
  if (input.exact) {
    const entry = await cache.get(keys.exact, now);
    if (entry !== undefined) return { hit: { how: "exact", entry, cosine: 1, score: 1 } };
  }
  if (input.embed === undefined || keys.prompt === "") return {};
  const vector = await input.embed();
  if (vector === undefined) return {};
  const candidates = await cache.query({ vector, scope: keys.scope, topK: SEMANTIC_TOP_K, now });
  const query = analyseText(keys.prompt);
  for (const c of candidates) {
    const decision = decideHit(query, c.entry.prompt, c.cosine, input.decision);
    if (decision.hit)
      return { vector, hit: { how: "semantic", entry: c.entry, cosine: c.cosine, score: decision.score } };
  }
  return { vector };
}
