import { first, num, parseJson, rows, run, str } from "../../storage/sql";
import type { Balance, LedgerEntry, LedgerEntryType, Micros } from "../types";

/** One key's account inside the tenant's Durable Object. `seq` is the last ledger entry number used. */
export interface Account {
  keyId: string;
  balance: Micros;
  held: Micros;
  openHolds: number;
  credited: Micros;
  billed: Micros;
  seq: number;
}

type AccountRow = {
  balance: number;
  held: number;
  open_holds: number;
  credited: number;
  billed: number;
  seq: number;
};

/**
 * Accounts as this object last wrote or read them, so a busy key costs one SQLite read per object life instead of one
 * per admission and per settlement. Sound because the object is the only writer of its tables and runs one call at a
 * time; a transaction that rolls back must drop the cache (`forgetAccounts`, see TenantLedger.tx). Bounded: a tenant
 * can have very many accounts (one per JWT subject), and only the busy ones are worth keeping.
 */
const cached = new WeakMap<SqlStorage, Map<string, Account>>();
const MAX_CACHED = 1024;

function cacheOf(sql: SqlStorage): Map<string, Account> {
  let accounts = cached.get(sql);
  if (accounts === undefined) {
    accounts = new Map();
    cached.set(sql, accounts);
  }
  return accounts;
}

function remember(sql: SqlStorage, a: Account): void {
  const accounts = cacheOf(sql);
  accounts.delete(a.keyId);
  accounts.set(a.keyId, { ...a });
  if (accounts.size > MAX_CACHED) {
    const oldest = accounts.keys().next();
    if (!oldest.done) accounts.delete(oldest.value);
  }
}

/** Drops every cached account of this database (after a rollback, the cache may hold writes that never happened). */
export function forgetAccounts(sql: SqlStorage): void {
  cached.delete(sql);
}

/** A copy the caller may change; it takes effect with saveAccount. */
export function loadAccount(sql: SqlStorage, keyId: string): Account {
  const hit = cached.get(sql)?.get(keyId);
  if (hit !== undefined) return { ...hit };
  const row = first<AccountRow>(
    sql,
    "SELECT balance, held, open_holds, credited, billed, seq FROM accounts WHERE key_id = ?",
    keyId,
  );
  const account = row
    ? {
        keyId,
        balance: row.balance,
        held: row.held,
        openHolds: row.open_holds,
        credited: row.credited,
        billed: row.billed,
        seq: row.seq,
      }
    : { keyId, balance: 0, held: 0, openHolds: 0, credited: 0, billed: 0, seq: 0 };
  remember(sql, account);
  return account;
}

export function saveAccount(sql: SqlStorage, a: Account): void {
  run(
    sql,
    `INSERT INTO accounts (key_id, balance, held, open_holds, credited, billed, seq) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (key_id) DO UPDATE SET balance = excluded.balance, held = excluded.held,
       open_holds = excluded.open_holds, credited = excluded.credited, billed = excluded.billed, seq = excluded.seq`,
    a.keyId,
    a.balance,
    a.held,
    a.openHolds,
    a.credited,
    a.billed,
    a.seq,
  );
  remember(sql, a);
}

export function toBalance(a: Account): Balance {
  return {
    keyId: a.keyId,
    balance: a.balance,
    held: a.held,
    openHolds: a.openHolds,
    credited: a.credited,
    billed: a.billed,
  };
}

export interface NewEntry {
  at: number;
  type: LedgerEntryType;
  requestId?: string;
  amount: Micros;
  charged?: Micros;
  flags?: string[];
  reference?: string;
}

/** Appends an entry stamped with the account's next seq and its current balance; the caller saves the account. */
export function appendEntry(sql: SqlStorage, a: Account, e: NewEntry): void {
  a.seq += 1;
  run(
    sql,
    `INSERT INTO entries (key_id, seq, at, type, request_id, amount, charged, balance_after, flags, reference)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    a.keyId,
    a.seq,
    e.at,
    e.type,
    e.requestId ?? null,
    e.amount,
    e.charged ?? null,
    a.balance,
    e.flags && e.flags.length > 0 ? JSON.stringify(e.flags) : null,
    e.reference ?? null,
  );
}

type EntryRow = {
  seq: number;
  at: number;
  type: string;
  request_id: string | null;
  amount: number;
  charged: number | null;
  balance_after: number;
  flags: string | null;
  reference: string | null;
};

export function listEntries(sql: SqlStorage, keyId: string, limit: number, beforeSeq?: number): LedgerEntry[] {
  const found = rows<EntryRow>(
    sql,
    `SELECT seq, at, type, request_id, amount, charged, balance_after, flags, reference FROM entries
     WHERE key_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
    keyId,
    beforeSeq ?? Number.MAX_SAFE_INTEGER,
    limit,
  );
  return found.map((r) => {
    const entry: LedgerEntry = {
      seq: r.seq,
      at: r.at,
      type: r.type as LedgerEntryType,
      amount: r.amount,
      balanceAfter: r.balance_after,
    };
    const requestId = str(r.request_id);
    if (requestId !== undefined) entry.requestId = requestId;
    if (r.charged !== null) entry.charged = num(r.charged);
    if (r.flags !== null) entry.flags = parseJson<string[]>(r.flags, []);
    const reference = str(r.reference);
    if (reference !== undefined) entry.reference = reference;
    return entry;
  });
}

/**
 * Adds credits, or removes them (never below zero: the applied amount is clamped to what is available). Idempotent
 * per (key, reference): a reference already used changes nothing.
 */
export function applyCredit(
  sql: SqlStorage,
  keyId: string,
  amount: Micros,
  reference: string,
  type: "topup" | "adjust",
  now: number,
): Balance {
  const account = loadAccount(sql, keyId);
  const seen = first(sql, "SELECT 1 AS hit FROM entries WHERE key_id = ? AND reference = ?", keyId, reference);
  if (seen) return toBalance(account);
  // `0 -` rather than unary minus: a fully clamped removal must be 0, not -0.
  const applied = amount < 0 ? 0 - Math.min(account.balance, -amount) : amount;
  account.balance += applied;
  account.credited += applied;
  appendEntry(sql, account, { at: now, type, amount: applied, reference });
  saveAccount(sql, account);
  return toBalance(account);
}
