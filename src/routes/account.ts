import type { Context } from "hono";
import type { AppEnv } from "../context";
import { parseWith } from "./admin/parse";
import { OwnUsageQuery } from "./admin/schemas";
import { balanceJson, list, usageJson } from "./admin/serialize";
import { fromStore } from "./admin/store";

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

/** GET /v1/usage?limit&since: the caller's own usage events, newest first. */
export async function usageHandler(c: Context<AppEnv>) {
  const { ledger } = c.var.services;
  const { tenant, accountId } = c.var.principal;
  const query = parseWith(OwnUsageQuery, c.req.query());
  // Always filtered by the caller's account: another key or end user of the same tenant stays invisible too.
  const opts: { limit?: number; keyId: string; since?: number } = { keyId: accountId };
  if (query.limit !== undefined) opts.limit = query.limit;
  if (query.since !== undefined) opts.since = query.since;
  const events = await fromStore(() => ledger.usage(tenant.id, opts));
  return c.json(list(events.map(usageJson)));
}
