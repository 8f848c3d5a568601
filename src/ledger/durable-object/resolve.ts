import { first, rows, run } from "../../storage/sql";
import type { Micros, SettleRequest, SettleResult, UsageEvent, VoidRequest, VoidResult } from "../types";
import { type Account, appendEntry, loadAccount, saveAccount } from "./accounts";
import { completeIdempotency, dropInFlight } from "./idempotency";
import { addTaskUsage } from "./tasks";
import { insertUsage } from "./usage";

type Terminal = "settled" | "voided" | "expired";

interface OpenHold {
  keyId: string;
  requestId: string;
  amount: Micros;
  idemKey: string | null;
  taskId: string | null;
}

type ClaimedRow = { amount: number; idem_key: string | null; task_id: string | null };

type Lookup =
  | { kind: "open"; hold: OpenHold }
  | { kind: "already_resolved"; terminal: Terminal }
  | { kind: "unknown_hold" };

/**
 * Closes the hold if it is still open, in one statement (the common case: the hold this request opened); only a hold
 * that is not open costs a second read, to say why.
 */
function claimHold(sql: SqlStorage, keyId: string, requestId: string, terminal: Terminal, now: number): Lookup {
  const row = first<ClaimedRow>(
    sql,
    `UPDATE holds SET state = ?, resolved_at = ? WHERE key_id = ? AND request_id = ? AND state = 'open'
     RETURNING amount, idem_key, task_id`,
    terminal,
    now,
    keyId,
    requestId,
  );
  if (row) {
    return {
      kind: "open",
      hold: { keyId, requestId, amount: row.amount, idemKey: row.idem_key, taskId: row.task_id },
    };
  }
  const other = first<{ state: string }>(
    sql,
    "SELECT state FROM holds WHERE key_id = ? AND request_id = ?",
    keyId,
    requestId,
  );
  if (!other) return { kind: "unknown_hold" };
  return { kind: "already_resolved", terminal: other.state as Terminal };
}

/** Moves a closed hold's money: `charged` is billed, the rest of the hold returns to the balance. */
function release(sql: SqlStorage, hold: OpenHold, charged: Micros): Account {
  const account = loadAccount(sql, hold.keyId);
  account.balance += hold.amount - charged;
  account.held -= hold.amount;
  account.openHolds -= 1;
  account.billed += charged;
  return account;
}

export function settle(sql: SqlStorage, req: SettleRequest, now: number): SettleResult {
  const found = claimHold(sql, req.keyId, req.requestId, "settled", now);
  if (found.kind !== "open") return found;
  const { hold } = found;
  const own: string[] = [];
  let charged = req.cost;
  if (!Number.isSafeInteger(req.cost) || req.cost < 0) {
    charged = hold.amount;
    own.push("invalid_cost");
  } else if (req.cost > hold.amount) {
    charged = hold.amount;
    own.push("over_hold");
  }
  const flags = union(req.flags, own);
  const account = release(sql, hold, charged);
  const released = hold.amount - charged;
  appendEntry(sql, account, { at: now, type: "settle", requestId: req.requestId, amount: released, charged, flags });
  saveAccount(sql, account);
  // The usage event never reports more than was billed, and carries the ledger's own flags. The common case (the
  // gateway's own event, already stating the cost charged) is stored as sent, without a copy.
  const usage =
    own.length === 0 && req.usage.cost === charged && req.usage.flags.length <= 1
      ? req.usage
      : { ...req.usage, cost: charged, flags: union(req.usage.flags, own) };
  insertUsage(sql, usage);
  const taskId = req.task?.id ?? hold.taskId;
  if (taskId !== null) {
    const tokens = safeCount(req.inputTokens) + safeCount(req.outputTokens);
    addTaskUsage(sql, taskId, { tokens, cost: charged, toolCalls: safeCount(req.task?.toolCalls) }, now);
  }
  if (req.idempotency) {
    completeIdempotency(sql, req.keyId, req.idempotency.key, req.requestId, req.idempotency.response, now);
  }
  return { kind: "settled", charged, released, balanceAfter: account.balance };
}

export function voidHold(sql: SqlStorage, req: VoidRequest, now: number): VoidResult {
  const found = claimHold(sql, req.keyId, req.requestId, "voided", now);
  if (found.kind !== "open") return found;
  const { hold } = found;
  const account = release(sql, hold, 0);
  appendEntry(sql, account, { at: now, type: "void", requestId: req.requestId, amount: hold.amount });
  saveAccount(sql, account);
  insertUsage(sql, { ...req.usage, cost: 0 });
  const idemKey = req.idempotencyKey ?? hold.idemKey;
  if (idemKey !== null) dropInFlight(sql, req.keyId, idemKey, req.requestId);
  return { kind: "voided", released: hold.amount, balanceAfter: account.balance };
}

type DueRow = {
  key_id: string;
  request_id: string;
  amount: number;
  idem_key: string | null;
  task_id: string | null;
};

/** Bills every open hold whose expiry is at or before `now` at its full amount, flagged `expired`. */
export function expireDue(sql: SqlStorage, tenantId: string, now: number): number {
  const due = rows<DueRow>(
    sql,
    `SELECT key_id, request_id, amount, idem_key, task_id FROM holds
     WHERE state = 'open' AND expires_at <= ?`,
    now,
  );
  for (const row of due) {
    const hold: OpenHold = {
      keyId: row.key_id,
      requestId: row.request_id,
      amount: row.amount,
      idemKey: row.idem_key,
      taskId: row.task_id,
    };
    run(
      sql,
      "UPDATE holds SET state = 'expired', resolved_at = ? WHERE key_id = ? AND request_id = ?",
      now,
      hold.keyId,
      hold.requestId,
    );
    const account = release(sql, hold, hold.amount);
    appendEntry(sql, account, {
      at: now,
      type: "expire",
      requestId: hold.requestId,
      amount: 0,
      charged: hold.amount,
      flags: ["expired"],
    });
    saveAccount(sql, account);
    insertUsage(sql, expiredUsage(tenantId, hold, now));
    if (hold.taskId !== null) addTaskUsage(sql, hold.taskId, { tokens: 0, cost: hold.amount, toolCalls: 0 }, now);
    if (hold.idemKey !== null) dropInFlight(sql, hold.keyId, hold.idemKey, hold.requestId);
  }
  return due.length;
}

function expiredUsage(tenantId: string, hold: OpenHold, now: number): UsageEvent {
  const event: UsageEvent = {
    requestId: hold.requestId,
    at: now,
    tenantId,
    keyId: hold.keyId,
    inputTokens: 0,
    outputTokens: 0,
    cost: hold.amount,
    cache: "none",
    latencyMs: 0,
    status: 0,
    policyVersion: "",
    flags: ["expired"],
  };
  if (hold.taskId !== null) event.taskId = hold.taskId;
  return event;
}

function union(a: string[], b: string[]): string[] {
  // Nothing to add and nothing to repeat: the common case needs no copy.
  if (b.length === 0 && a.length <= 1) return a;
  return [...new Set([...a, ...b])];
}

function safeCount(n: number | undefined): number {
  return n !== undefined && Number.isSafeInteger(n) && n > 0 ? n : 0;
}
