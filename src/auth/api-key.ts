import type { KeyRecord } from "../ledger/types";
import { timingSafeEqualString } from "./constant-time";
import { sha256Hex } from "./hash";

/**
 * Gateway API keys: `gw_<keyId>_<secret>`. The key id (12 × [a-z0-9]) is public and names the stored record, so a
 * lookup is one store read by id; the secret (32 × base62 ≈ 190 bits from `crypto.getRandomValues`) never leaves the
 * caller: only the SHA-256 of the whole key is stored. A fast hash is enough here because the secret is random, not a
 * password; nothing can be brute-forced from the digest.
 */

export const API_KEY_PREFIX = "gw_";
export const API_KEY_ID_LENGTH = 12;
export const API_KEY_SECRET_LENGTH = 32;

const KEY_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
const SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const API_KEY_PATTERN = /^gw_([a-z0-9]{12})_[A-Za-z0-9]{32}$/;
const API_KEY_LENGTH = API_KEY_PREFIX.length + API_KEY_ID_LENGTH + 1 + API_KEY_SECRET_LENGTH;

export interface GeneratedApiKey {
  /** The full key: shown to the admin once, never stored. */
  key: string;
  keyId: string;
  /** Lower-case hex SHA-256 of `key`: what the key store keeps. */
  hash: string;
  /** For display: `gw_<keyId>_` plus the first 4 characters of the secret and `…`. */
  prefix: string;
}

/** Uniform characters from `alphabet`: bytes past the largest multiple of its size are redrawn, so no modulo bias. */
function randomString(alphabet: string, length: number): string {
  const limit = 256 - (256 % alphabet.length);
  let out = "";
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte >= limit) continue;
      out += alphabet[byte % alphabet.length];
      if (out.length === length) break;
    }
  }
  return out;
}

export function hashApiKey(key: string): Promise<string> {
  return sha256Hex(key);
}

export async function generateApiKey(): Promise<GeneratedApiKey> {
  const keyId = randomString(KEY_ID_ALPHABET, API_KEY_ID_LENGTH);
  const secret = randomString(SECRET_ALPHABET, API_KEY_SECRET_LENGTH);
  const key = `${API_KEY_PREFIX}${keyId}_${secret}`;
  return { key, keyId, hash: await hashApiKey(key), prefix: `${API_KEY_PREFIX}${keyId}_${secret.slice(0, 4)}…` };
}

/** Whether a presented credential claims to be a gateway API key (then it must parse, or it is refused). */
export function looksLikeApiKey(value: string): boolean {
  return value.startsWith(API_KEY_PREFIX);
}

/**
 * The key id of a well-formed key; undefined for anything else, so a malformed credential costs no store read.
 * Strict: exact length, prefix, alphabets and separators; no trimming or case folding.
 */
export function parseApiKey(value: string): { keyId: string } | undefined {
  if (typeof value !== "string" || value.length !== API_KEY_LENGTH) return undefined;
  const keyId = API_KEY_PATTERN.exec(value)?.[1];
  return keyId === undefined ? undefined : { keyId };
}

export type ApiKeyVerdict = { ok: true } | { ok: false; reason: "mismatch" | "revoked" | "expired" };

/**
 * Checks a presented key against its stored record. The secret is checked first, so revocation and expiry are only
 * revealed to someone who holds the key. A `revokedAt` in the future is a scheduled revocation; `expiresAt` and
 * `revokedAt` are the instants from which the key stops working (epoch ms, like `now`).
 */
export async function verifyApiKey(presented: string, record: KeyRecord, now: number): Promise<ApiKeyVerdict> {
  const parsed = parseApiKey(presented);
  // Hash even a malformed or mismatched key, so the work done does not depend on which check failed.
  const hash = await hashApiKey(presented);
  const hashMatches = timingSafeEqualString(hash, record.hash);
  if (parsed === undefined || parsed.keyId !== record.keyId || !hashMatches) return { ok: false, reason: "mismatch" };
  if (record.revokedAt !== undefined && record.revokedAt <= now) return { ok: false, reason: "revoked" };
  if (record.expiresAt !== undefined && record.expiresAt <= now) return { ok: false, reason: "expired" };
  return { ok: true };
}
