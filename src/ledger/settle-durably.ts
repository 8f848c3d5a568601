import { opTarget } from "./outbox/op";
import type { OutboxClient, SettlementOp } from "./outbox/types";
import { type Ledger, type RecordResult, type SettleResult, StoreUnavailableError, type VoidResult } from "./types";

/** What the ledger answers to an op. */
type LedgerAnswer = SettleResult | VoidResult | RecordResult;

export type SettleOutcome =
  /** The ledger answered (settled / voided / already_resolved / unknown_hold; recorded / duplicate). */
  | LedgerAnswer
  /** The ledger could not be reached; the outbox owns the op now and retries until the ledger answers. */
  | { kind: "queued" }
  /**
   * Neither the ledger nor the outbox could take the op: it is logged and the hold is left to expire, after which
   * the sweeper (or the tenant object's alarm) bills it at the full hold, flagged `expired`. (A record op: the
   * refusal's usage event is lost, logged with its request id.)
   */
  | { kind: "unresolved"; reason: "no_outbox" | "outbox_unavailable" };

export interface SettleDeps {
  ledger: Ledger;
  outbox: OutboxClient | undefined;
  /** The request's waitUntil: keeps a ledger call alive that was given up on (see `budgetMs`). */
  waitUntil: (p: Promise<unknown>) => void;
  /** Test seams. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /**
   * Time allowed for the direct attempts, and again for the enqueue. waitUntil work is cut 30 s after the response,
   * so a call that hangs (rather than fails) must not use up that time: past the budget the op goes to the outbox
   * while the hanging call is left to finish (the ledger resolves a hold once, so the two cannot both bill).
   */
  budgetMs?: number;
}

const RETRIES = 2;
const BUDGET_MS = 10_000;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Resolves a request's credit hold — or records a refused request's usage event (`{ kind: "record", event }`) — off
 * the hot path without ever losing it: the ledger directly (two quick retries with jittered backoff, on
 * StoreUnavailableError only), else the durable outbox, else a logged error and the hold's own expiry. Any other error is a bug: it is logged with the request id and rethrown. Meant to run as
 * `waitUntil(settleDurably(deps, op).catch(log))`; nothing inside it is left to reject unhandled.
 */
export async function settleDurably(deps: SettleDeps, op: SettlementOp): Promise<SettleOutcome> {
  const id = opTarget(op).requestId;
  const direct = await settleDirect(deps, op);
  if (direct.ok) {
    if (direct.result.kind === "unknown_hold") {
      console.error(`[${id}] ${op.kind}: the ledger has no such hold (never admitted, or expired and already billed)`);
    }
    return direct.result;
  }
  const fate =
    op.kind === "record"
      ? "the usage event of this refused request is lost"
      : "the hold will expire and be billed at the full hold (flag expired)";
  if (deps.outbox === undefined) {
    console.error(`[${id}] ${op.kind} failed (${direct.reason}) and no outbox is bound; ${fate}`);
    return { kind: "unresolved", reason: "no_outbox" };
  }
  try {
    const queued = await within(deps.outbox.enqueue(op), deps.budgetMs ?? BUDGET_MS);
    if (!queued.done) {
      deps.waitUntil(queued.pending.catch(() => undefined));
      throw new Error("outbox enqueue timed out");
    }
    console.warn(`[${id}] ${op.kind} queued in the settlement outbox (${direct.reason})`);
    return { kind: "queued" };
  } catch (err) {
    console.error(`[${id}] ${op.kind} failed (${direct.reason}) and could not be queued; ${fate}`, err);
    return { kind: "unresolved", reason: "outbox_unavailable" };
  }
}

type Direct = { ok: true; result: LedgerAnswer } | { ok: false; reason: string };

function callLedger(ledger: Ledger, op: SettlementOp): Promise<LedgerAnswer> {
  if (op.kind === "record") return ledger.record(op.event);
  return op.kind === "settle" ? ledger.settle(op.req) : ledger.void(op.req);
}

async function settleDirect(deps: SettleDeps, op: SettlementOp): Promise<Direct> {
  const sleep = deps.sleep ?? defaultSleep;
  const random = deps.random ?? Math.random;
  const deadline = Date.now() + (deps.budgetMs ?? BUDGET_MS);
  let reason = "ledger unavailable";
  for (let attempt = 0; attempt <= RETRIES; attempt++) {
    if (attempt > 0) await sleep(jitteredDelay(attempt, random));
    try {
      const answer = await within(callLedger(deps.ledger, op), Math.max(0, deadline - Date.now()));
      if (answer.done) return { ok: true, result: answer.value };
      // Hanging, not failing: stop waiting, but let the call finish (its rejection, if any, is handled here).
      deps.waitUntil(answer.pending.catch(() => undefined));
      return { ok: false, reason: "ledger call timed out" };
    } catch (err) {
      if (!(err instanceof StoreUnavailableError)) {
        console.error(`[${opTarget(op).requestId}] ${op.kind} failed with an unexpected error`, err);
        throw err;
      }
      reason = err.message;
    }
  }
  return { ok: false, reason };
}

/** ~50–100 ms before the first retry, ~100–200 ms before the second. */
function jitteredDelay(attempt: number, random: () => number): number {
  const base = 50 * 2 ** (attempt - 1);
  return Math.round(base + random() * base);
}

/** Waits for `p` at most `ms`; on timeout hands back the still-running promise. Rejections pass through. */
async function within<T>(
  p: Promise<T>,
  ms: number,
): Promise<{ done: true; value: T } | { done: false; pending: Promise<T> }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), ms);
  });
  try {
    const first = await Promise.race([p.then((value) => ({ value })), timeout]);
    return first === "timeout" ? { done: false, pending: p } : { done: true, value: first.value };
  } finally {
    clearTimeout(timer);
  }
}
