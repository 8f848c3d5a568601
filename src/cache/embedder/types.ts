/**
 * Where the semantic cache's prompt embeddings come from. One embedding per request at most: the gateway computes it
 * once (src/gateway/cache.ts) and keeps it with the request, for the lookup, the store and anything later in the
 * request (routing) that wants it.
 */
export type EmbedResult =
  /** A unit-length vector. */
  { ok: true; vector: number[] } | { ok: false; reason: string };

export interface Embedder {
  /** For logs and for telling apart entries made by different embedders (vectors of different spaces). */
  readonly id: string;
  embed(text: string, signal?: AbortSignal): Promise<EmbedResult>;
}
