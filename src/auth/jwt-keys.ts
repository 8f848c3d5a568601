import { createLocalJWKSet, type JWK, type LocalJWKSet } from "jose";
import { jwksUrlProblem } from "../policy/jwks-url";
import type { JwtConfig } from "../policy/types";
import { type JwksCache, type JwksDeps, type KeyResult, lookupKey } from "./jwt-cache";

/** Where a tenant's verification key comes from: the policy's static keys, or its JWKS URL through the cache. */

const staticSets = new WeakMap<JwtConfig, LocalJWKSet>();

function staticSet(jwt: JwtConfig, keys: readonly JWK[]): LocalJWKSet {
  let set = staticSets.get(jwt);
  if (set === undefined) {
    set = createLocalJWKSet({ keys: keys.map((key) => ({ ...key })) });
    staticSets.set(jwt, set);
  }
  return set;
}

const PLACEHOLDER = /\$\{([A-Z][A-Z0-9_]*)\}/g;

/** Fills `${VAR}`s; undefined when a variable is unset or empty. */
function fillUrl(template: string, vars: (name: string) => string | undefined): string | undefined {
  let missing = false;
  const url = template.replace(PLACEHOLDER, (_, name: string) => {
    const value = vars(name);
    if (value === undefined || value === "") missing = true;
    return value ?? "";
  });
  return missing ? undefined : url;
}

const UNAVAILABLE: KeyResult = {
  ok: false,
  code: "jwks_unavailable",
  message: "The issuer's signing keys are not available; try again later.",
};

export async function keyForTenant(
  tenantId: string,
  jwt: JwtConfig,
  header: { alg: string; kid?: string },
  deps: JwksDeps & { vars: (name: string) => string | undefined; jwks: JwksCache },
): Promise<KeyResult> {
  if (jwt.keys !== undefined) {
    const found = await lookupKey(staticSet(jwt, jwt.keys), header);
    if (found.kind === "found") return { ok: true, key: found.key };
    const message = found.kind === "refused" ? found.message : "JWT signing key (kid) is not known for this issuer.";
    return { ok: false, code: "unauthorized", message };
  }
  if (jwt.jwks_url === undefined) return UNAVAILABLE;
  // A misconfigured URL is the operator's fault, so it is a 503 (never an allow), logged without values.
  const url = fillUrl(jwt.jwks_url, deps.vars);
  if (url === undefined) {
    console.error(`tenant ${tenantId}: jwt.jwks_url needs a Worker var that is not set`);
    return UNAVAILABLE;
  }
  const problem = jwksUrlProblem(url);
  if (problem !== undefined) {
    console.error(`tenant ${tenantId}: jwt.jwks_url ${problem}`);
    return UNAVAILABLE;
  }
  return deps.jwks.key(url, header, deps);
}
