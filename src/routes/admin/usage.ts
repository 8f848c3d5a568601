import type { Context } from "hono";
import type { AppEnv } from "../../context";
import { tenantOr404 } from "./keys";
import { parseWith } from "./parse";
import { UsageQuery } from "./schemas";
import { list, usageJson } from "./serialize";
import { fromStore } from "./store";

/** GET /admin/usage?tenant=…&key_id&since&limit: a tenant's usage events, newest first. */
export async function adminUsageHandler(c: Context<AppEnv>) {
  const services = c.var.services;
  const query = parseWith(UsageQuery, c.req.query());
  const tenant = tenantOr404(services, query.tenant);
  const opts: { limit?: number; keyId?: string; since?: number } = {};
  if (query.limit !== undefined) opts.limit = query.limit;
  if (query.key_id !== undefined) opts.keyId = query.key_id;
  if (query.since !== undefined) opts.since = query.since;
  const events = await fromStore(() => services.ledger.usage(tenant.id, opts));
  return c.json(list(events.map(usageJson)));
}
