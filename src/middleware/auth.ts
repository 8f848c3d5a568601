import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { hashApiKey, parseApiKey, verifyApiKey } from "../auth/api-key";
import { verifyTenantJwt } from "../auth/jwt";
import { looksLikeJwt } from "../auth/jwt-peek";
import type { KeyCache } from "../auth/key-cache";
import type { Principal } from "../auth/principal";
import type { AppEnv, Services } from "../context";
import { GatewayError } from "../errors";
import { StoreUnavailableError } from "../ledger/types";
import { ATTR } from "../observability/attributes";
import { NOOP_SPAN } from "../observability/span";
import type { TenantConfig } from "../policy/types";

const CHALLENGE = { "www-authenticate": 'Bearer realm="gateway"' };

/** Accepts the credential the way both SDK families send it: `Authorization: Bearer` (OpenAI) or `x-api-key`. */
function presentedCredential(c: Context<AppEnv>): string | undefined {
  const auth = c.req.header("authorization");
  if (auth !== undefined) {
    const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(auth);
    return match?.[1];
  }
  return c.req.header("x-api-key")?.trim() || undefined;
}

function unauthorized(
  message: string,
  code: "unauthorized" | "key_revoked" | "key_expired" = "unauthorized",
): GatewayError {
  return new GatewayError(code, message, { headers: CHALLENGE });
}

function restrictRoutes(tenant: TenantConfig, routes: string[] | undefined): TenantConfig {
  if (routes === undefined) return tenant;
  return { ...tenant, routes: tenant.routes.filter((r) => routes.includes(r)) };
}

async function fromApiKey(services: Services, credential: string, keyId: string): Promise<Principal> {
  const { env, keys, policy, now } = services;
  let record: Awaited<ReturnType<KeyCache["get"]>>;
  try {
    record = await services.keyCache.get(keys, keyId, now(), env.config.KEY_CACHE_TTL_MS);
  } catch (err) {
    if (err instanceof StoreUnavailableError) {
      throw new GatewayError("store_unavailable", "The key store is unreachable; try again shortly.", {
        headers: { "retry-after": "1" },
      });
    }
    throw err;
  }
  if (record === undefined) {
    // The same hashing a known id costs, so the refusal takes as long either way.
    await hashApiKey(credential);
    throw unauthorized("Invalid API key.");
  }
  const verdict = await verifyApiKey(credential, record, now());
  if (!verdict.ok) {
    // Told only to the holder of the key (verifyApiKey checks the secret first); still 401, with a code of its own.
    if (verdict.reason === "revoked") throw unauthorized("This API key has been revoked.", "key_revoked");
    if (verdict.reason === "expired") throw unauthorized("This API key has expired.", "key_expired");
    throw unauthorized("Invalid API key.");
  }
  const tenant = policy.tenants[record.tenantId];
  if (tenant === undefined) {
    console.error(`key ${record.keyId} belongs to tenant "${record.tenantId}", which the policy does not define`);
    throw unauthorized("Invalid API key.");
  }
  const principal: Principal = {
    tenant: restrictRoutes(tenant, record.routes),
    accountId: record.keyId,
    keyId: record.keyId,
    source: "api-key",
  };
  if (record.routes !== undefined) principal.routes = record.routes;
  if (record.tags !== undefined) principal.tags = record.tags;
  return principal;
}

async function fromJwt(services: Services, token: string): Promise<Principal> {
  const verdict = await verifyTenantJwt(token, services.policy, {
    fetch: services.fetch,
    now: services.now,
    vars: (name) => services.env.secret(name),
    jwks: services.jwks,
  });
  if (!verdict.ok) {
    if (verdict.code === "jwks_unavailable") {
      throw new GatewayError("auth_unavailable", "The tenant's signing keys could not be fetched; try again shortly.", {
        headers: { "retry-after": "5" },
      });
    }
    throw unauthorized(verdict.message);
  }
  const tenant = services.policy.tenants[verdict.tenantId];
  if (tenant === undefined) throw unauthorized("Invalid token.");
  return { tenant, accountId: `jwt:${verdict.subject}`, keyId: verdict.subject, source: "jwt" };
}

async function fromStaticKey(services: Services, credential: string): Promise<Principal> {
  const found = await services.staticKeys.lookup(services.env.config.GATEWAY_STATIC_KEYS, credential);
  if (found === undefined) throw unauthorized("Invalid API key.");
  const tenant = services.policy.tenants[found.tenant];
  if (tenant === undefined) {
    console.error(`static key ${found.keyId} names tenant "${found.tenant}", which the policy does not define`);
    throw unauthorized("Invalid API key.");
  }
  return { tenant, accountId: found.keyId, keyId: found.keyId, source: "static-key" };
}

/**
 * Three credentials, told apart by shape before any lookup: `gw_<id>_<secret>` API keys (one store read by id),
 * tenant JWTs (verified against the tenant's JWKS), and bootstrap static keys (hash lookup in a secret). A
 * malformed `gw_` key costs no store call.
 */
export function authenticate() {
  return createMiddleware<AppEnv>(async function authenticateMiddleware(c, next) {
    const services = c.get("services");
    const credential = presentedCredential(c);
    if (credential === undefined) {
      throw unauthorized("Missing API key: send `Authorization: Bearer <key>` or `x-api-key`.");
    }
    // The root span is set for every request by traceRequests (src/app.ts); NOOP_SPAN covers apps built without it.
    const span = (c.get("span") ?? NOOP_SPAN).child("gateway.authenticate");
    let principal: Principal;
    try {
      principal = await principalOf(services, credential);
      span.set(ATTR.tenant, principal.tenant.id);
      span.set("gateway.credential", principal.source);
    } catch (err) {
      span.fail(err instanceof GatewayError ? err.code : "internal_error");
      throw err;
    } finally {
      span.end();
    }
    c.set("principal", principal);
    return next();
  });
}

function principalOf(services: Services, credential: string): Promise<Principal> {
  if (credential.startsWith("gw_")) {
    const parsed = parseApiKey(credential);
    if (parsed === undefined) throw unauthorized("Invalid API key.");
    return fromApiKey(services, credential, parsed.keyId);
  }
  return looksLikeJwt(credential) ? fromJwt(services, credential) : fromStaticKey(services, credential);
}
