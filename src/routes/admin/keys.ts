import type { Context } from "hono";
import { API_KEY_ID_LENGTH, generateApiKey } from "../../auth/api-key";
import type { AppEnv, Services } from "../../context";
import { GatewayError } from "../../errors";
import type { KeyRecord } from "../../ledger/types";
import type { TenantConfig } from "../../policy/types";
import { parseJsonBody, parseWith } from "./parse";
import { CreateKeyBody, TenantQuery } from "./schemas";
import { keyJson, list } from "./serialize";
import { fromStore } from "./store";

/** A fresh id colliding with an existing one is a 1-in-36^12 event; a few redraws make failure practically impossible. */
const CREATE_ATTEMPTS = 3;
const KEY_ID = new RegExp(`^[a-z0-9]{${API_KEY_ID_LENGTH}}$`);

export function tenantOr404(services: Services, tenantId: string): TenantConfig {
  const tenant = Object.hasOwn(services.policy.tenants, tenantId) ? services.policy.tenants[tenantId] : undefined;
  if (tenant === undefined) {
    throw new GatewayError("not_found", `No tenant "${tenantId}" in the policy.`, { param: "tenant" });
  }
  return tenant;
}

/** The stored record for a key id from the path; a malformed id is unknown without asking the store. */
export async function keyOr404(services: Services, keyId: string): Promise<KeyRecord> {
  const record = KEY_ID.test(keyId) ? await fromStore(() => services.keys.get(keyId)) : undefined;
  if (record === undefined) throw new GatewayError("not_found", `No API key with id "${keyId}".`, { param: "id" });
  return record;
}

function checkRoutes(tenant: TenantConfig, routes: string[]): string[] {
  routes.forEach((route, i) => {
    if (!tenant.routes.includes(route)) {
      throw new GatewayError(
        "invalid_request",
        `Route "${route}" is not one of tenant "${tenant.id}"'s routes (${tenant.routes.join(", ") || "none"}).`,
        { param: `routes.${i}` },
      );
    }
  });
  return [...new Set(routes)];
}

function newRecord(
  body: CreateKeyBody,
  tenant: TenantConfig,
  now: number,
): Omit<KeyRecord, "keyId" | "hash" | "prefix"> {
  if (body.expires_at !== undefined && body.expires_at <= now) {
    throw new GatewayError("invalid_request", "expires_at must be in the future.", { param: "expires_at" });
  }
  const record: Omit<KeyRecord, "keyId" | "hash" | "prefix"> = { tenantId: tenant.id, createdAt: now };
  if (body.name !== undefined) record.name = body.name;
  if (body.expires_at !== undefined) record.expiresAt = body.expires_at;
  if (body.routes !== undefined) record.routes = checkRoutes(tenant, body.routes);
  // Empty lists are not stored: absent and empty mean the same, and one stored form keeps backends alike.
  if (body.scopes !== undefined && body.scopes.length > 0) record.scopes = [...new Set(body.scopes)];
  if (body.tags !== undefined && body.tags.length > 0) record.tags = [...new Set(body.tags)];
  return record;
}

/** POST /admin/keys: the only response that ever carries the full key. */
export async function createKeyHandler(c: Context<AppEnv>) {
  const services = c.var.services;
  const body = parseJsonBody(CreateKeyBody, c.var.rawBody, c.req.header("content-type"));
  const tenant = tenantOr404(services, body.tenant);
  const base = newRecord(body, tenant, services.now());
  for (let attempt = 0; attempt < CREATE_ATTEMPTS; attempt++) {
    const { key, keyId, hash, prefix } = await generateApiKey();
    const record: KeyRecord = { ...base, keyId, hash, prefix };
    if (await fromStore(() => services.keys.create(record))) {
      return c.json({ ...keyJson(record, services.now()), key }, 201);
    }
  }
  throw new GatewayError("internal_error", "Could not allocate a free key id; try again.");
}

/** GET /admin/keys?tenant=… */
export async function listKeysHandler(c: Context<AppEnv>) {
  const services = c.var.services;
  const query = parseWith(TenantQuery, c.req.query());
  const tenant = tenantOr404(services, query.tenant);
  const records = await fromStore(() => services.keys.list(tenant.id));
  const now = services.now();
  return c.json(list(records.map((r) => keyJson(r, now))));
}

/** GET /admin/keys/:id */
export async function getKeyHandler(c: Context<AppEnv>) {
  const services = c.var.services;
  const record = await keyOr404(services, c.req.param("id") ?? "");
  return c.json(keyJson(record, services.now()));
}

/** POST /admin/keys/:id/revoke: idempotent; the first revocation time is kept. */
export async function revokeKeyHandler(c: Context<AppEnv>) {
  const services = c.var.services;
  const keyId = c.req.param("id") ?? "";
  const now = services.now();
  const record = KEY_ID.test(keyId) ? await fromStore(() => services.keys.revoke(keyId, now)) : undefined;
  if (record === undefined) throw new GatewayError("not_found", `No API key with id "${keyId}".`, { param: "id" });
  return c.json(keyJson(record, now));
}
