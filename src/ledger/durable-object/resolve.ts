import type { Micros, SettleRequest, SettleResult, UsageEvent, VoidRequest, VoidResult } from "../types";
import { type Account, appendEntry, loadAccount, saveAccount } from "./accounts";
import { completeIdempotency, dropInFlight } from "./idempotency";
import { first, rows, run } from "./sql";
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

type HoldRow = { amount: number; state: string; idem_key: string | null; task_id: string | null };

type Lookup =
  | { kind: "open"; hold: OpenHold }
  | { kind: "already_resolved"; terminal: Terminal }
  | { kind: "unknown_hold" };

function lookupHold(sql: SqlStorage, keyId: string, requestId: string): Lookup {
  const row = first<HoldRow>(
    sql,
    "SELECT amount, state, idem_key, task_id FROM holds WHERE key_id = ? AND request_id = ?",
    keyId,
    requestId,
  );
  if (!row) return { kind: "unknown_hold" };
  if (row.state !== "open") return { kind: "already_resolved", terminal: row.state as Terminal };
  return {
    kind: "open",
    hold: { keyId, requestId, amount: row.amount, idemKey: row.idem_key, taskId: row.task_id },
  };
}

/** Closes the hold and moves its money: `charged` is billed, the rest of the hold returns to the balance. */
function close(sql: SqlStorage, hold: OpenHold, terminal: Terminal, charged: Micros, now: number): Account {
  run(
    sql,
    "UPDATE holds SET state = ?, resolved_at = ? WHERE key_id = ? AND request_id = ?",
    terminal,
    now,
    hold.keyId,
    hold.requestId,
  );
  const account = loadAccount(sql, hold.keyId);
  account.balance += hold.amount - charged;
  account.held -= hold.amount;
  account.openHolds -= 1;
  account.billed += charged;
  return account;
}

export function settle(sql: SqlStorage, req: SettleRequest, now: number): SettleResult {
  const found = lookupHold(sql, req.keyId, req.requestId);
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
  const account = close(sql, hold, "settled", charged, now);
  const released = hold.amount - charged;
  appendEntry(sql, account, { at: now, type: "settle", requestId: req.requestId, amount: released, charged, flags });
  saveAccount(sql, account);
  // The usage event never reports more than was billed, and carries the ledger's own flags.
  insertUsage(sql, { ...req.usage, cost: charged, flags: union(req.usage.flags, own) });
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
  const found = lookupHold(sql, req.keyId, req.requestId);
  if (found.kind !== "open") return found;
  const { hold } = found;
  const account = close(sql, hold, "voided", 0, now);
  appendEntry(sql, account, { at: now, type: "void", requestId: req.requestId, amount: hold.amount });
  saveAccount(sql, account);
  insertUsage(sql, { ...req.usage, cost: 0 });
  const idemKey = req.idempotencyKey ?? hold.idemKey;
  if (idemKey !== null) dropInFlight(sql, req.keyId, idemKey, req.requestId);
  return { kind: "voided", released: hold.amount, balanceAfter: account.balance };
}

type DueRow = { key_id: string; request_id: string; amount: number; idem_key: string | null; task_id: string | null };

/** Bills every open hold whose expiry is at or before `now` at its full amount, flagged `expired`. */
export function expireDue(sql: SqlStorage, tenantId: string, now: number): number {
  const due = rows<DueRow>(
    sql,
    "SELECT key_id, request_id, amount, idem_key, task_id FROM holds WHERE state = 'open' AND expires_at <= ?",
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
    const account = close(sql, hold, "expired", hold.amount, now);
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

/** Earliest expiry among open holds, for the alarm. */
export function nextExpiry(sql: SqlStorage): number | undefined {
  const row = first<{ at: number | null }>(sql, "SELECT MIN(expires_at) AS at FROM holds WHERE state = 'open'");
  return typeof row?.at === "number" ? row.at : undefined;
}

function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])];
}

function safeCount(n: number | undefined): number {
  return n !== undefined && Number.isSafeInteger(n) && n > 0 ? n : 0;
}
