import { decodeJwt, decodeProtectedHeader, type JWTPayload } from "jose";

/**
 * Reads a token's header and claims WITHOUT verifying anything, only to decide which tenant's settings verify it
 * and to refuse cheap-to-spot attacks before any key is fetched. Nothing read here is trusted until jwtVerify passes.
 */

export const MAX_JWT_LENGTH = 16 * 1024;

/**
 * Header parameters that would let the token choose its own verification key (`jwk`, `jku`, `x5u`, `x5c`) or demand
 * extensions (`crit`, e.g. unencoded payloads). Keys come only from the policy, so these are refused outright.
 */
export const FORBIDDEN_HEADERS = ["jwk", "jku", "x5u", "x5c", "crit"] as const;

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export type Peeked =
  | { ok: true; header: { alg: string; kid?: string }; typ: string | undefined; issuer: string; payload: JWTPayload }
  | { ok: false; message: string };

/** Whether a bearer credential is shaped like a compact JWS (so the caller should try JWT auth for it). */
export function looksLikeJwt(value: string): boolean {
  return value.startsWith("eyJ") && value.length <= MAX_JWT_LENGTH && COMPACT_JWS.test(value);
}

export function peekJwt(token: string): Peeked {
  if (token.length > MAX_JWT_LENGTH) return { ok: false, message: "JWT is too large." };
  if (!COMPACT_JWS.test(token)) return { ok: false, message: "Malformed JWT." };
  let header: Record<string, unknown>;
  let payload: JWTPayload;
  try {
    header = decodeProtectedHeader(token) as Record<string, unknown>;
    payload = decodeJwt(token);
  } catch {
    return { ok: false, message: "Malformed JWT." };
  }
  if (FORBIDDEN_HEADERS.some((name) => Object.hasOwn(header, name))) {
    return {
      ok: false,
      message: "JWT header carries an embedded key or key URL (jwk, jku, x5u, x5c) or crit; these are never trusted.",
    };
  }
  const { alg, kid, typ } = header;
  if (typeof alg !== "string") return { ok: false, message: "Malformed JWT: no alg." };
  if (typ !== undefined && typeof typ !== "string") return { ok: false, message: "Malformed JWT: invalid typ." };
  if (kid !== undefined && (typeof kid !== "string" || kid.length === 0 || kid.length > 256)) {
    return { ok: false, message: "Malformed JWT: invalid kid." };
  }
  if (typeof payload.iss !== "string") return { ok: false, message: "JWT has no issuer (iss)." };
  return { ok: true, header: kid === undefined ? { alg } : { alg, kid }, typ, issuer: payload.iss, payload };
}
