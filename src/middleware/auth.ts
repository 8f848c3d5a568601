import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { parseApiKey, verifyApiKey } from "../auth/api-key";
import { verifyTenantJwt } from "../auth/jwt";
import { looksLikeJwt } from "../auth/jwt-peek";
import type { KeyCache } from "../auth/key-cache";
import type { Principal } from "../auth/principal";
import type { AppEnv, Services } from "../context";
import { GatewayError } from "../errors";
import { StoreUnavailableError } from "../ledger/types";
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

function unauthorized(message: string): GatewayError {
  return new GatewayError("unauthorized", message, { headers: CHALLENGE });
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
  if (record === undefined) throw unauthorized("Invalid API key.");
  const verdict = await verifyApiKey(credential, record, now());
  if (!verdict.ok) {
    throw unauthorized(verdict.reason === "mismatch" ? "Invalid API key." : `This API key has been ${verdict.reason}.`);
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
    const services = c.var.services;
    const credential = presentedCredential(c);
    if (credential === undefined) {
      throw unauthorized("Missing API key: send `Authorization: Bearer <key>` or `x-api-key`.");
    }
    let principal: Principal;
    if (credential.startsWith("gw_")) {
      const parsed = parseApiKey(credential);
      if (parsed === undefined) throw unauthorized("Invalid API key.");
      principal = await fromApiKey(services, credential, parsed.keyId);
    } else if (looksLikeJwt(credential)) {
      principal = await fromJwt(services, credential);
    } else {
      principal = await fromStaticKey(services, credential);
    }
    c.set("principal", principal);
    return next();
  });
}
