import type { Context } from "hono";
import type { AppEnv, Services } from "../../context";
import type { Ledger } from "../../ledger/types";
import { checkAccount } from "./accounts";
import { keyOr404, tenantOr404 } from "./keys";
import { parseJsonBody, parseWith } from "./parse";
import { AccountCreditBody, AccountEntriesQuery, CreditBody, EntriesQuery, TenantQuery } from "./schemas";
import { balanceJson, entryJson, list } from "./serialize";
import { fromStore } from "./store";

/**
 * Credits, balances and ledger entries of one account. For an API key the account id is the key id and the tenant
 * comes from the key's record; for other accounts (`jwt:<subject>`, static keys) the admin names the tenant.
 */

interface AccountRef {
  accountId: string;
  tenantId: string;
}

async function keyAccount(services: Services, keyId: string): Promise<AccountRef> {
  const record = await keyOr404(services, keyId);
  return { accountId: record.keyId, tenantId: record.tenantId };
}

function otherAccount(services: Services, account: string, tenantId: string): AccountRef {
  const tenant = tenantOr404(services, tenantId);
  checkAccount(services, tenant, account);
  return { accountId: account, tenantId: tenant.id };
}

async function credit(
  c: Context<AppEnv>,
  ref: AccountRef,
  body: { amount: number; reference: string; type: "topup" | "adjust" },
) {
  const { ledger } = c.var.services;
  const after = await fromStore(() => newestSeq(ledger, ref));
  // Idempotent per reference in the ledger itself, so a retried call (CLI, network blip) never credits twice.
  const balance = await fromStore(() =>
    ledger.credit(ref.accountId, ref.tenantId, body.amount, body.reference, body.type),
  );
  const applied = await fromStore(() => writtenSince(ledger, ref, body.reference, after));
  return c.json({ ...balanceJson(balance, ref.tenantId), applied });
}

const PAGE = 1000;

async function newestSeq(ledger: Ledger, ref: AccountRef): Promise<number> {
  return (await ledger.entries(ref.accountId, ref.tenantId, { limit: 1 }))[0]?.seq ?? 0;
}

/**
 * Whether the entry under `reference` is newer than seq `after` (this call wrote it) rather than older (an earlier
 * call with the same reference did, and this one changed nothing). Reads only the entries written since `after`.
 */
async function writtenSince(ledger: Ledger, ref: AccountRef, reference: string, after: number): Promise<boolean> {
  let beforeSeq: number | undefined;
  for (;;) {
    const page = await ledger.entries(
      ref.accountId,
      ref.tenantId,
      beforeSeq === undefined ? { limit: PAGE } : { limit: PAGE, beforeSeq },
    );
    for (const entry of page) {
      if (entry.seq <= after) return false;
      if (entry.reference === reference) return true;
      beforeSeq = entry.seq;
    }
    if (page.length < PAGE) return false;
  }
}

async function balance(c: Context<AppEnv>, ref: AccountRef) {
  const { ledger } = c.var.services;
  return c.json(balanceJson(await fromStore(() => ledger.balance(ref.accountId, ref.tenantId)), ref.tenantId));
}

async function entries(c: Context<AppEnv>, ref: AccountRef, query: { limit?: number; before_seq?: number }) {
  const { ledger } = c.var.services;
  const opts: { limit?: number; beforeSeq?: number } = {};
  if (query.limit !== undefined) opts.limit = query.limit;
  if (query.before_seq !== undefined) opts.beforeSeq = query.before_seq;
  const found = await fromStore(() => ledger.entries(ref.accountId, ref.tenantId, opts));
  return c.json(list(found.map(entryJson)));
}

/** POST /admin/keys/:id/credits */
export async function keyCreditsHandler(c: Context<AppEnv>) {
  const body = parseJsonBody(CreditBody, c.var.rawBody, c.req.header("content-type"));
  return credit(c, await keyAccount(c.var.services, c.req.param("id") ?? ""), body);
}

/** GET /admin/keys/:id/balance */
export async function keyBalanceHandler(c: Context<AppEnv>) {
  return balance(c, await keyAccount(c.var.services, c.req.param("id") ?? ""));
}

/** GET /admin/keys/:id/entries?limit&before_seq */
export async function keyEntriesHandler(c: Context<AppEnv>) {
  const query = parseWith(EntriesQuery, c.req.query());
  return entries(c, await keyAccount(c.var.services, c.req.param("id") ?? ""), query);
}

/** POST /admin/accounts/:account/credits {tenant, …} */
export async function accountCreditsHandler(c: Context<AppEnv>) {
  const body = parseJsonBody(AccountCreditBody, c.var.rawBody, c.req.header("content-type"));
  return credit(c, otherAccount(c.var.services, c.req.param("account") ?? "", body.tenant), body);
}

/** GET /admin/accounts/:account/balance?tenant=… */
export async function accountBalanceHandler(c: Context<AppEnv>) {
  const query = parseWith(TenantQuery, c.req.query());
  return balance(c, otherAccount(c.var.services, c.req.param("account") ?? "", query.tenant));
}

/** GET /admin/accounts/:account/entries?tenant=…&limit&before_seq */
export async function accountEntriesHandler(c: Context<AppEnv>) {
  const query = parseWith(AccountEntriesQuery, c.req.query());
  return entries(c, otherAccount(c.var.services, c.req.param("account") ?? "", query.tenant), query);
}
