import type { Context } from "hono";
import type { AppEnv } from "../context";
import { parseWith } from "./admin/parse";
import { OwnUsageExportQuery, OwnUsageQuery } from "./admin/schemas";
import { balanceJson } from "./admin/serialize";
import { fromStore } from "./admin/store";
import { ndjsonExport, pageJson, pageQuery, usagePage } from "./usage-pages";

/**
 * The tenant (self-service) API: a caller reads its own account only. Tenant and account come from the credential
 * (`c.var.principal`), never from the request, so no parameter can point at another key or tenant.
 */

/** GET /v1/balance: the caller's own credit account. */
export async function balanceHandler(c: Context<AppEnv>) {
  const { ledger } = c.var.services;
  const { tenant, accountId } = c.var.principal;
  const balance = await fromStore(() => ledger.balance(accountId, tenant.id));
  return c.json(balanceJson(balance, tenant.id));
}

/** GET /v1/usage?limit&since&until&cursor: the caller's own usage events, newest first, paged. */
export async function usageHandler(c: Context<AppEnv>) {
  const { tenant, accountId } = c.var.principal;
  const query = parseWith(OwnUsageQuery, c.req.query());
  // Always filtered by the caller's account: another key or end user of the same tenant stays invisible too.
  const q = { ...pageQuery(query), keyId: accountId };
  return c.json(pageJson(await usagePage(c, tenant.id, q)));
}

/** GET /v1/usage/export?from&to: the caller's own events of the range as NDJSON. */
export function usageExportHandler(c: Context<AppEnv>) {
  const { tenant, accountId } = c.var.principal;
  const query = parseWith(OwnUsageExportQuery, c.req.query());
  return ndjsonExport(c, tenant.id, { limit: 1000, from: query.from, to: query.to, keyId: accountId }, "usage.ndjson");
}
