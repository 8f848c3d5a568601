import { errors, type JWTPayload, jwtVerify } from "jose";
import type { CompiledPolicy, JwtAlgorithm, JwtConfig, TenantConfig } from "../policy/types";
import { JwksCache } from "./jwt-cache";
import { keyForTenant } from "./jwt-keys";
import { peekJwt } from "./jwt-peek";

/**
 * Tenant JWT verification. The unverified `iss` only chooses which tenant's pinned settings (keys, algorithms,
 * audience) verify the token; the token is trusted only after jose checks the signature and claims against them.
 * Failure messages are fixed texts and claim names from the policy: nothing from the token is echoed.
 */

export { looksLikeJwt } from "./jwt-peek";

export interface JwtDeps {
  fetch: typeof fetch;
  /** Epoch milliseconds. */
  now: () => number;
  /** Worker vars for `${VAR}` in `jwks_url`. Default: none set. */
  vars?: (name: string) => string | undefined;
  /** Default: the isolate's shared cache. */
  jwks?: JwksCache;
}

export type JwtVerdict =
  | { ok: true; tenantId: string; subject: string; claims: JWTPayload }
  | { ok: false; code: "unauthorized" | "jwks_unavailable"; message: string };

const byIssuer = new WeakMap<CompiledPolicy, Map<string, TenantConfig[]>>();

function tenantsForIssuer(policy: CompiledPolicy, issuer: string): TenantConfig[] {
  let index = byIssuer.get(policy);
  if (index === undefined) {
    index = new Map();
    for (const tenant of Object.values(policy.tenants)) {
      if (tenant.jwt === undefined) continue;
      index.set(tenant.jwt.issuer, [...(index.get(tenant.jwt.issuer) ?? []), tenant]);
    }
    byIssuer.set(policy, index);
  }
  return index.get(issuer) ?? [];
}

const unauthorized = (message: string): JwtVerdict => ({ ok: false, code: "unauthorized", message });

function messageFor(error: unknown): string {
  if (error instanceof errors.JWTExpired) {
    return error.claim === "iat" ? "JWT is older than this issuer allows (iat)." : "JWT has expired.";
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === "missing") return `JWT lacks the required "${error.claim}" claim.`;
    if (error.claim === "aud") return "JWT audience is not accepted.";
    if (error.claim === "iss") return "JWT issuer is not accepted.";
    if (error.claim === "nbf") return "JWT is not valid yet (nbf).";
    if (error.claim === "iat") return "JWT issue time (iat) is invalid.";
    return "JWT claims are invalid.";
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return "JWT signature is invalid.";
  if (error instanceof errors.JOSEAlgNotAllowed) return "JWT algorithm is not accepted for this issuer.";
  if (error instanceof errors.JWTInvalid || error instanceof errors.JWSInvalid) return "Malformed JWT.";
  return "JWT could not be verified.";
}

/** Claim checks jose does not do: `iat` not in the future, the policy's required claims, the subject. */
function checkClaims(jwt: JwtConfig, claims: JWTPayload, nowMs: number): { subject: string } | { message: string } {
  if (typeof claims.iat === "number" && claims.iat > nowMs / 1000 + jwt.clock_tolerance_s) {
    return { message: "JWT issue time (iat) is in the future." };
  }
  for (const [name, expected] of Object.entries(jwt.required_claims)) {
    const actual = claims[name];
    const matches = Array.isArray(actual) ? actual.includes(expected) : actual === expected;
    if (!matches) return { message: `JWT claim "${name}" does not have the required value.` };
  }
  const subject = claims[jwt.subject_claim];
  if (typeof subject !== "string" || subject.length === 0 || subject.length > 256) {
    return { message: `JWT lacks the subject claim "${jwt.subject_claim}".` };
  }
  return { subject };
}

export async function verifyTenantJwt(token: string, policy: CompiledPolicy, deps: JwtDeps): Promise<JwtVerdict> {
  const peeked = peekJwt(token);
  if (!peeked.ok) return unauthorized(peeked.message);

  const candidates = tenantsForIssuer(policy, peeked.issuer);
  const tenant = candidates.length === 1 ? candidates[0] : undefined;
  const jwt = tenant?.jwt;
  if (tenant === undefined || jwt === undefined) return unauthorized("JWT issuer is not accepted.");
  // Refused before any key lookup: `none`, HS* (the RSA-public-key-as-HMAC-secret confusion) and anything unpinned.
  if (!jwt.algorithms.includes(peeked.header.alg as JwtAlgorithm)) {
    return unauthorized("JWT algorithm is not accepted for this issuer.");
  }

  const key = await keyForTenant(tenant.id, jwt, peeked.header, {
    fetch: deps.fetch,
    now: deps.now,
    vars: deps.vars ?? (() => undefined),
    // The Worker passes its isolate's cache (Services.jwks); a caller without one starts from nothing.
    jwks: deps.jwks ?? new JwksCache(),
  });
  if (!key.ok) return key;

  const now = deps.now();
  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(token, key.key, {
      issuer: jwt.issuer,
      audience: jwt.audience,
      algorithms: jwt.algorithms,
      requiredClaims: ["exp"],
      clockTolerance: jwt.clock_tolerance_s,
      currentDate: new Date(now),
      ...(jwt.max_token_age_s === undefined ? {} : { maxTokenAge: jwt.max_token_age_s }),
    }));
  } catch (error) {
    return unauthorized(messageFor(error));
  }
  const checked = checkClaims(jwt, claims, now);
  if ("message" in checked) return unauthorized(checked.message);
  return { ok: true, tenantId: tenant.id, subject: checked.subject, claims };
}
