import type { Services } from "../../context";
import { GatewayError } from "../../errors";
import type { TenantConfig } from "../../policy/types";

/**
 * Credit accounts that are not store-backed API keys: a JWT subject (`jwt:<subject>`, the account a tenant's end user
 * is billed on) or a bootstrap static key (its `key_id` in GATEWAY_STATIC_KEYS). Store-backed keys go through
 * /admin/keys/:id/…, which takes the tenant from the key record instead of from the caller.
 */

const JWT_ACCOUNT = /^jwt:[^\p{Cc}]{1,256}$/u;

let staticCache: { source: string; tenants: Map<string, string> } | undefined;

/** key_id -> tenant of the configured static keys. The auth layer validates the secret; here only ids matter. */
function staticKeyTenants(source: string | undefined): Map<string, string> {
  const text = source ?? "[]";
  if (staticCache?.source === text) return staticCache.tenants;
  const tenants = new Map<string, string>();
  try {
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed)) {
      for (const item of parsed) {
        if (typeof item !== "object" || item === null) continue;
        const { key_id: keyId, tenant } = item as Record<string, unknown>;
        if (typeof keyId === "string" && typeof tenant === "string") tenants.set(keyId, tenant);
      }
    }
  } catch {
    // A malformed secret already fails every static-key request in the auth layer; here it just has no accounts.
  }
  staticCache = { source: text, tenants };
  return tenants;
}

/** Checks that `account` is a JWT-subject or static-key account that can exist in `tenant`. */
export function checkAccount(services: Services, tenant: TenantConfig, account: string): void {
  if (JWT_ACCOUNT.test(account)) {
    if (tenant.jwt === undefined) {
      throw new GatewayError(
        "invalid_request",
        `Tenant "${tenant.id}" does not accept JWTs, so it has no JWT accounts.`,
        {
          param: "tenant",
        },
      );
    }
    return;
  }
  const staticTenant = staticKeyTenants(services.env.config.GATEWAY_STATIC_KEYS).get(account);
  if (staticTenant === undefined) {
    throw new GatewayError(
      "not_found",
      `No account "${account}": expected "jwt:<subject>" or a static key id (for API keys use /admin/keys/{id}/…).`,
      { param: "account" },
    );
  }
  if (staticTenant !== tenant.id) {
    throw new GatewayError("invalid_request", `Static key "${account}" belongs to another tenant.`, {
      param: "tenant",
    });
  }
}
