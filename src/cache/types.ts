/**
 * The response cache's storage contract. One `CacheStore` per isolate; `forTenant(tenantId)` hands out the only view
 * through which entries are read or written, so a tenant is fixed when the view is made (from the authenticated
 * principal, never from the request) and no call can reach another tenant's entries. Backends: Upstash Vector
 * (namespace per tenant) and a SQLite Durable Object per tenant; both pass test/integration/cache/contract.ts.
 *
 * Similarity is PLAIN cosine everywhere above the backends (Upstash's `(1 + cos) / 2` is converted in
 * src/cache/vector.ts, the one place that knows about it).
 */

/** What a cache entry answers with: the stored answer and what it was billed, so a hit can be priced from it. */
export interface CacheEntry {
  /** Deterministic: the exact key of the request that produced the answer (see src/cache/scope.ts). */
  id: string;
  /** Hash of everything besides the prompt text that a hit must share (model alias, system prompt, tools, ...). */
  scope: string;
  /** The model alias the answer came from (for invalidation by model). */
  model: string;
  /** The text that was embedded (the last user turn): the hit decision compares it with the query's. */
  prompt: string;
  /** The answer, serialised (src/cache/answer.ts). */
  answer: string;
  /** Micro-credits the original answer was billed. */
  cost: number;
  createdAt: number;
  expiresAt: number;
}

export interface CachePut {
  entry: CacheEntry;
  /** Unit-length prompt embedding; absent for an exact-only entry (never returned by `query`). */
  vector?: readonly number[];
  /** Bound on the tenant's entries: the least recently used beyond it are evicted. */
  maxEntries: number;
}

export interface CacheCandidate {
  entry: CacheEntry;
  /** Plain cosine similarity of the query vector and the entry's vector, in [-1, 1]. */
  cosine: number;
}

export interface SemanticQuery {
  /** Unit-length query embedding. */
  vector: readonly number[];
  /** Only entries with exactly this scope are candidates. */
  scope: string;
  topK: number;
  now: number;
}

/** What happened to one request, counted per tenant. */
export type CacheCounter = "hit" | "miss" | "shadow" | "bypass";

/** In shadow mode: what would have been served, recorded so an admin can judge it before turning hits on. */
export interface ShadowRecord {
  at: number;
  requestId: string;
  model: string;
  /** `exact` or `semantic`. */
  kind: "exact" | "semantic";
  entryId: string;
  /** Age of the entry at lookup time, ms. */
  entryAgeMs: number;
  /** Plain cosine (1 for an exact match) and the decision's score. */
  cosine: number;
  score: number;
  /** The query's prompt and the entry's, so a human can tell a true duplicate from a false hit. */
  prompt: string;
  entryPrompt: string;
}

export interface CacheStats {
  counts: Record<CacheCounter, number>;
  /** Entries stored now (expired ones that were not purged yet included). */
  entries: number;
  /** Most recent shadow observations, newest first (bounded). */
  shadow: ShadowRecord[];
}

/** One tenant's cache. Every method may throw CacheUnavailableError; callers treat that as a bypass. */
export interface SemanticCache {
  /** The entry with this exact key, unless expired. Marks it used (LRU). */
  get(id: string, now: number): Promise<CacheEntry | undefined>;
  /** Unexpired entries of `q.scope` nearest to `q.vector`, best first, at most `q.topK`. Does not mark them used. */
  query(q: SemanticQuery): Promise<CacheCandidate[]>;
  /** Marks an entry used now (a semantic hit), so LRU eviction keeps it. */
  touch(id: string, now: number): Promise<void>;
  /** Stores (or replaces) an entry, then evicts expired entries and the least recently used beyond `maxEntries`. */
  put(p: CachePut, now: number): Promise<void>;
  /** Deletes every entry, or only those of one model alias; returns how many were deleted. Counters are kept. */
  invalidate(opts: { model?: string }): Promise<number>;
  count(counter: CacheCounter, now: number): Promise<void>;
  recordShadow(record: ShadowRecord): Promise<void>;
  stats(now: number): Promise<CacheStats>;
}

export interface CacheStore {
  /** The backend's name, for logs and headers in tests. */
  readonly name: "durable-object" | "upstash";
  forTenant(tenantId: string): SemanticCache;
}

/** Shadow observations kept per tenant. */
export const SHADOW_LOG_LIMIT = 50;

/**
 * Largest stored answer, in bytes of its serialised form: Upstash Vector caps metadata per vector at 48 KB, and one
 * limit for both backends keeps them interchangeable. Larger answers are simply not cached.
 */
export const MAX_ANSWER_BYTES = 40 * 1024;

/** The store could not be reached or failed: the request goes on without the cache (a bypass). */
export class CacheUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CacheUnavailableError";
  }
}
