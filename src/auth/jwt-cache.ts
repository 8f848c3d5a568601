import { createLocalJWKSet, errors, type LocalJWKSet } from "jose";
import { fetchJwks } from "./jwks-fetch";

/**
 * Per-isolate JWKS cache. A set is reused for `maxAgeMs`; a token whose `kid` is not in the cached set triggers a
 * refetch only when the last attempt is older than `cooldownMs`, so a storm of made-up kids costs at most one fetch
 * per cooldown, while a real key rotation is picked up within one cooldown. A failed fetch is not retried for
 * `failureBackoffMs` (a down JWKS endpoint is not hammered, nor every request made to wait on it); a stale set keeps
 * serving for `staleIfErrorMs` past its age while the endpoint is down.
 *
 * In-flight fetches are deliberately not shared between concurrent requests: workerd ties promises to the request
 * that created them, and awaiting another request's fetch can hang or fail when that request ends (jose's remote set
 * skips sharing on Workers for the same reason). Only a cold cache can see parallel fetches; the cooldown clock starts
 * when a fetch starts, so a warm cache never does.
 */

export interface JwksCacheOptions {
  maxAgeMs?: number;
  cooldownMs?: number;
  timeoutMs?: number;
  failureBackoffMs?: number;
  staleIfErrorMs?: number;
  maxBytes?: number;
}

export const JWKS_CACHE_DEFAULTS: Required<JwksCacheOptions> = {
  maxAgeMs: 10 * 60_000,
  cooldownMs: 30_000,
  timeoutMs: 3_000,
  failureBackoffMs: 5_000,
  staleIfErrorMs: 60 * 60_000,
  maxBytes: 256 * 1024,
};

export interface JwksDeps {
  fetch: typeof fetch;
  /** Epoch milliseconds. */
  now: () => number;
}

export type KeyResult =
  | { ok: true; key: CryptoKey }
  | { ok: false; code: "unauthorized" | "jwks_unavailable"; message: string };

interface Entry {
  set?: LocalJWKSet;
  fetchedAt: number;
  lastAttemptAt: number;
  lastFailureAt?: number;
}

type Lookup = { kind: "found"; key: CryptoKey } | { kind: "no_match" } | { kind: "refused"; message: string };

/** Picks the key for a header from a key set (static or fetched). */
export async function lookupKey(set: LocalJWKSet, header: { alg: string; kid?: string }): Promise<Lookup> {
  try {
    return { kind: "found", key: await set(header) };
  } catch (error) {
    if (error instanceof errors.JWKSNoMatchingKey) return { kind: "no_match" };
    if (error instanceof errors.JWKSMultipleMatchingKeys) {
      return { kind: "refused", message: "JWT has no kid and several keys could match; the token must name its key." };
    }
    return { kind: "refused", message: "JWT signing key is not usable." };
  }
}

export class JwksCache {
  readonly options: Required<JwksCacheOptions>;
  private readonly entries = new Map<string, Entry>();

  constructor(options: JwksCacheOptions = {}) {
    this.options = { ...JWKS_CACHE_DEFAULTS, ...options };
  }

  /** Forgets every cached set (tests). */
  clear(): void {
    this.entries.clear();
  }

  async key(url: string, header: { alg: string; kid?: string }, deps: JwksDeps): Promise<KeyResult> {
    const { maxAgeMs, cooldownMs, staleIfErrorMs } = this.options;
    const now = deps.now();
    let entry = this.entries.get(url);
    if (entry?.set === undefined || now - entry.fetchedAt >= maxAgeMs) {
      await this.refresh(url, deps, now);
      entry = this.entries.get(url);
    }
    const set = entry?.set;
    if (entry === undefined || set === undefined || now - entry.fetchedAt >= maxAgeMs + staleIfErrorMs) {
      return {
        ok: false,
        code: "jwks_unavailable",
        message: "The issuer's signing keys could not be fetched; try again later.",
      };
    }
    let found = await lookupKey(set, header);
    if (found.kind === "no_match" && now - entry.lastAttemptAt >= cooldownMs && (await this.refresh(url, deps, now))) {
      const fresh = this.entries.get(url)?.set;
      if (fresh !== undefined) found = await lookupKey(fresh, header);
    }
    if (found.kind === "found") return { ok: true, key: found.key };
    const message = found.kind === "refused" ? found.message : "JWT signing key (kid) is not known for this issuer.";
    return { ok: false, code: "unauthorized", message };
  }

  /** Fetches the set unless a recent failure says to wait; true when a new set is in place. */
  private async refresh(url: string, deps: JwksDeps, now: number): Promise<boolean> {
    const entry = this.entries.get(url) ?? {
      fetchedAt: Number.NEGATIVE_INFINITY,
      lastAttemptAt: Number.NEGATIVE_INFINITY,
    };
    this.entries.set(url, entry);
    if (entry.lastFailureAt !== undefined && now - entry.lastFailureAt < this.options.failureBackoffMs) return false;
    entry.lastAttemptAt = now;
    const result = await fetchJwks(url, deps.fetch, this.options);
    if (result.ok) {
      try {
        entry.set = createLocalJWKSet(result.jwks);
        entry.fetchedAt = now;
        entry.lastFailureAt = undefined;
        return true;
      } catch {
        // Falls through: an unusable document counts as a failed fetch.
      }
    }
    entry.lastFailureAt = now;
    // The host only: a URL filled from a Worker var could carry a credential in its path or query.
    console.error(`JWKS fetch from ${hostOf(url)} failed: ${result.ok ? "invalid key set" : result.reason}`);
    return false;
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "(invalid URL)";
  }
}
