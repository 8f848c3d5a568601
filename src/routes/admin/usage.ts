import type { Context } from "hono";
import type { AppEnv } from "../../context";
import { ndjsonExport, pageJson, pageQuery, usagePage } from "../usage-pages";
import { tenantOr404 } from "./keys";
import { parseWith } from "./parse";
import { UsageExportQuery, UsageQuery } from "./schemas";

/** GET /admin/usage?tenant=…&key_id&since&until&limit&cursor: a tenant's usage events, newest first, paged. */
export async function adminUsageHandler(c: Context<AppEnv>) {
  const query = parseWith(UsageQuery, c.req.query());
  const tenant = tenantOr404(c.var.services, query.tenant);
  const q = pageQuery(query);
  if (query.key_id !== undefined) q.keyId = query.key_id;
  return c.json(pageJson(await usagePage(c, tenant.id, q)));
}

/** GET /admin/usage/export?tenant=…&from&to[&key_id]: every event of the range as NDJSON. */
export function adminUsageExportHandler(c: Context<AppEnv>) {
  const query = parseWith(UsageExportQuery, c.req.query());
  const tenant = tenantOr404(c.var.services, query.tenant);
  const base = { limit: 1000, from: query.from, to: query.to, ...(query.key_id ? { keyId: query.key_id } : {}) };
  return ndjsonExport(c, tenant.id, base, `usage-${tenant.id}.ndjson`);
}
