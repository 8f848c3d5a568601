/**
 * The money invariant of one account, checked from the outside through the public Ledger API only, so it works on
 * every backend (and in the gateway's load and fault tests).
 *
 * Call it when no operation on that key is in flight: it reads `balance()` and `entries()` in separate calls.
 *
 * What it asserts:
 * - every amount is a safe integer; balance, held, billed and openHolds are never negative;
 * - credited - billed = balance + held (the totals of `balance()`);
 * - entries replay: seq strictly increases, the running sum of `amount` equals every entry's `balanceAfter` (never
 *   negative) and ends at `balance`;
 * - credited = sum of topup/adjust amounts; billed = sum of `charged` over settle + expire entries;
 * - each requestId has at most one reserve and at most one terminal entry (settle, void or expire), and a terminal
 *   entry always follows its reserve; settle: 0 <= charged <= hold and amount = hold - charged; void: amount = hold;
 *   expire: amount = 0 and charged = hold;
 * - held = sum of the holds whose reserve has no terminal entry, and openHolds = their count;
 * - with `atRest`: held = 0, no open holds, every reserve has exactly one terminal entry.
 */
import type { Balance, Ledger, LedgerEntry } from "../../../src/ledger/types";

export interface InvariantOptions {
  /** Everything has been settled, voided or swept: no hold may remain open. */
  atRest?: boolean;
}

export class InvariantViolation extends Error {
  constructor(
    readonly keyId: string,
    readonly violations: string[],
  ) {
    super(`ledger invariant violated for key ${keyId}:\n- ${violations.join("\n- ")}`);
    this.name = "InvariantViolation";
  }
}

const PAGE = 1000;

/** Every entry of the account, oldest first, read through `beforeSeq` paging. */
export async function allEntries(ledger: Ledger, keyId: string, tenantId: string): Promise<LedgerEntry[]> {
  const newestFirst: LedgerEntry[] = [];
  let beforeSeq: number | undefined;
  for (;;) {
    const page = await ledger.entries(
      keyId,
      tenantId,
      beforeSeq === undefined ? { limit: PAGE } : { limit: PAGE, beforeSeq },
    );
    const last = page.at(-1);
    if (last === undefined) break;
    if (beforeSeq !== undefined && last.seq >= beforeSeq) {
      throw new Error(`entries(beforeSeq: ${beforeSeq}) returned seq ${last.seq}; paging would never end`);
    }
    newestFirst.push(...page);
    if (page.length < PAGE) break;
    beforeSeq = last.seq;
  }
  return newestFirst.reverse();
}

interface Hold {
  amount: number;
  terminals: LedgerEntry[];
}

function checkTotals(b: Balance, v: string[]): void {
  for (const field of ["balance", "held", "openHolds", "credited", "billed"] as const) {
    if (!Number.isSafeInteger(b[field])) v.push(`balance().${field} is not a safe integer: ${b[field]}`);
  }
  for (const field of ["balance", "held", "openHolds", "billed"] as const) {
    if (b[field] < 0) v.push(`balance().${field} is negative: ${b[field]}`);
  }
  if (b.credited - b.billed !== b.balance + b.held) {
    v.push(`credited - billed (${b.credited} - ${b.billed}) != balance + held (${b.balance} + ${b.held})`);
  }
}

function replay(entries: LedgerEntry[], v: string[]) {
  let running = 0;
  let credited = 0;
  let billed = 0;
  let prevSeq = Number.NEGATIVE_INFINITY;
  const holds = new Map<string, Hold>();
  for (const e of entries) {
    const where = `entry seq ${e.seq} (${e.type}${e.requestId ? ` ${e.requestId}` : ""})`;
    if (!Number.isSafeInteger(e.amount)) v.push(`${where}: amount is not a safe integer: ${e.amount}`);
    if (e.seq <= prevSeq) v.push(`${where}: seq does not increase (previous ${prevSeq})`);
    prevSeq = e.seq;
    running += e.amount;
    if (e.balanceAfter !== running) v.push(`${where}: balanceAfter ${e.balanceAfter} != running sum ${running}`);
    if (e.balanceAfter < 0) v.push(`${where}: balanceAfter is negative`);
    if (e.type === "topup" || e.type === "adjust") {
      credited += e.amount;
      continue;
    }
    if (e.requestId === undefined) {
      v.push(`${where}: no requestId`);
      continue;
    }
    const hold = holds.get(e.requestId);
    if (e.type === "reserve") {
      if (hold) v.push(`${where}: second reserve for the same requestId`);
      if (e.charged !== -e.amount) v.push(`${where}: charged (the hold) ${e.charged} != -amount ${-e.amount}`);
      if (e.amount > 0) v.push(`${where}: reserve increases the balance`);
      holds.set(e.requestId, { amount: -e.amount, terminals: [] });
      continue;
    }
    if (!hold) {
      v.push(`${where}: terminal entry without a reserve`);
      continue;
    }
    hold.terminals.push(e);
    if (hold.terminals.length > 1) v.push(`${where}: more than one terminal entry for ${e.requestId}`);
    const charged = e.charged ?? 0;
    if (e.type === "settle") {
      if (e.charged === undefined) v.push(`${where}: settle without charged`);
      if (charged < 0 || charged > hold.amount) v.push(`${where}: charged ${charged} outside [0, hold ${hold.amount}]`);
      if (e.amount !== hold.amount - charged) v.push(`${where}: amount ${e.amount} != hold - charged`);
    } else if (e.type === "void") {
      if (charged !== 0) v.push(`${where}: void charged ${charged}`);
      if (e.amount !== hold.amount) v.push(`${where}: void amount ${e.amount} != hold ${hold.amount}`);
    } else {
      if (charged !== hold.amount) v.push(`${where}: expire charged ${charged} != hold ${hold.amount}`);
      if (e.amount !== 0) v.push(`${where}: expire amount ${e.amount} != 0`);
    }
    billed += charged;
  }
  return { running, credited, billed, holds };
}

/** Every violation found (empty when the account is consistent). */
export async function invariantViolations(
  ledger: Ledger,
  keyId: string,
  tenantId: string,
  opts: InvariantOptions = {},
): Promise<string[]> {
  const v: string[] = [];
  const b = await ledger.balance(keyId, tenantId);
  const entries = await allEntries(ledger, keyId, tenantId);
  checkTotals(b, v);
  const r = replay(entries, v);
  if (r.running !== b.balance) v.push(`entries sum to ${r.running} but balance is ${b.balance}`);
  if (r.credited !== b.credited) v.push(`topup/adjust entries sum to ${r.credited} but credited is ${b.credited}`);
  if (r.billed !== b.billed) v.push(`settle/expire entries charged ${r.billed} but billed is ${b.billed}`);
  const open = [...r.holds.entries()].filter(([, h]) => h.terminals.length === 0);
  const openSum = open.reduce((sum, [, h]) => sum + h.amount, 0);
  if (openSum !== b.held) v.push(`open holds in entries sum to ${openSum} but held is ${b.held}`);
  if (open.length !== b.openHolds) v.push(`${open.length} open holds in entries but openHolds is ${b.openHolds}`);
  if (opts.atRest) {
    if (b.held !== 0 || b.openHolds !== 0) v.push(`at rest but held ${b.held} in ${b.openHolds} open holds`);
    for (const [requestId] of open) v.push(`at rest but ${requestId} has no terminal entry`);
  }
  return v;
}

/** Throws an InvariantViolation listing everything wrong with the account. */
export async function checkInvariant(
  ledger: Ledger,
  keyId: string,
  tenantId: string,
  opts: InvariantOptions = {},
): Promise<void> {
  const v = await invariantViolations(ledger, keyId, tenantId, opts);
  if (v.length > 0) throw new InvariantViolation(keyId, v);
}
