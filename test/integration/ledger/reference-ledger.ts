/**
 * REFERENCE LEDGER — a TEST ORACLE, never used by the gateway. A deliberately plain, single-threaded, in-memory
 * reading of /work/notes/ledger-spec.md whose only job is to validate the contract suite itself
 * (contract-selfcheck.test.ts): if this passes the suite, the suite is satisfiable and its readings of the spec are
 * consistent. Every method does all its work synchronously inside one call, which is what makes it atomic;
 * `racyAdmit` breaks exactly that, so the self-check can prove the concurrency cases catch it.
 */
import {
  type AdmitRequest,
  type AdmitResult,
  type Balance,
  type Ledger,
  type LedgerEntry,
  type RecordResult,
  type SettleRequest,
  type SettleResult,
  type StoredResponse,
  StoreUnavailableError,
  type TaskLimits,
  type UsageEvent,
  type VoidRequest,
  type VoidResult,
} from "../../../src/ledger/types";
import { grantable, outputCost, RateWindows, TaskBook } from "./reference-admission";
import { ReferenceKeyStore } from "./reference-keys";

type Terminal = "settled" | "voided" | "expired";
interface Hold {
  amount: number;
  tenantId: string;
  expiresAt: number;
  state: "open" | Terminal;
  idempotencyKey?: string;
}
interface Account {
  keyId: string;
  balance: number;
  held: number;
  credited: number;
  billed: number;
  entries: LedgerEntry[];
  references: Set<string>;
  holds: Map<string, Hold>;
}
interface IdempotencyRecord {
  bodyHash: string;
  ttlMs: number;
  expiresAt: number;
  response?: StoredResponse;
}
type Grant = { granted: number; reserved: number; tokens: number };

export interface ReferenceOptions {
  /** Self-check mutation: admit decides, yields to the event loop, then writes (a check-then-act race). */
  racyAdmit?: boolean;
}

const TERMINAL_ENTRY = { settled: "settle", voided: "void", expired: "expire" } as const;

export class ReferenceLedger implements Ledger {
  down = false;
  private readonly accounts = new Map<string, Account>();
  private readonly rates = new RateWindows();
  private readonly tasks = new TaskBook();
  private readonly idempotency = new Map<string, IdempotencyRecord>();
  private readonly events: UsageEvent[] = [];
  private readonly recorded = new Set<string>();

  constructor(private readonly options: ReferenceOptions = {}) {}

  async admit(req: AdmitRequest): Promise<AdmitResult> {
    this.reachable();
    const decision = this.decide(req, Date.now());
    if ("kind" in decision) return decision;
    if (this.options.racyAdmit) await new Promise((resolve) => setTimeout(resolve, 0));
    return this.apply(req, decision, Date.now());
  }

  async settle(req: SettleRequest): Promise<SettleResult> {
    this.reachable();
    const now = Date.now();
    const acct = this.account(req.keyId);
    const hold = acct.holds.get(req.requestId);
    if (!hold) return { kind: "unknown_hold" };
    if (hold.state !== "open") return { kind: "already_resolved", terminal: hold.state };
    const valid = Number.isSafeInteger(req.cost) && req.cost >= 0;
    const charged = valid ? Math.min(req.cost, hold.amount) : hold.amount;
    const ledgerFlags = !valid ? ["invalid_cost"] : req.cost > hold.amount ? ["over_hold"] : [];
    this.resolve(acct, req.requestId, hold, "settled", charged, [...new Set([...req.flags, ...ledgerFlags])], now);
    this.events.push({ ...req.usage, cost: charged, flags: [...new Set([...req.usage.flags, ...ledgerFlags])] });
    if (req.task) {
      const used = { tokens: req.inputTokens + req.outputTokens, cost: charged, toolCalls: req.task.toolCalls };
      this.tasks.settled(req.tenantId, req.task.id, used, now);
    }
    const record = this.idempotency.get(`${req.keyId}\u0000${hold.idempotencyKey}`);
    if (record && req.idempotency && req.idempotency.key === hold.idempotencyKey) {
      record.response = req.idempotency.response;
      record.expiresAt = now + record.ttlMs;
    }
    return { kind: "settled", charged, released: hold.amount - charged, balanceAfter: acct.balance };
  }

  async void(req: VoidRequest): Promise<VoidResult> {
    this.reachable();
    const acct = this.account(req.keyId);
    const hold = acct.holds.get(req.requestId);
    if (!hold) return { kind: "unknown_hold" };
    if (hold.state !== "open") return { kind: "already_resolved", terminal: hold.state };
    this.resolve(acct, req.requestId, hold, "voided", 0, [], Date.now());
    this.events.push({ ...req.usage, cost: 0 });
    this.dropInFlight(req.keyId, hold);
    return { kind: "voided", released: hold.amount, balanceAfter: acct.balance };
  }

  /** Only this hold's own in-flight marker goes (void or expiry); a completed record stays. */
  private dropInFlight(keyId: string, hold: Hold): void {
    const id = `${keyId}\u0000${hold.idempotencyKey}`;
    if (hold.idempotencyKey !== undefined && this.idempotency.get(id)?.response === undefined) {
      this.idempotency.delete(id);
    }
  }

  async credit(keyId: string, _tenantId: string, amount: number, reference: string, type: "topup" | "adjust") {
    this.reachable();
    const acct = this.account(keyId);
    if (!acct.references.has(reference)) {
      acct.references.add(reference);
      // `|| 0` turns the -0 of a fully clamped adjust into 0.
      const applied = Math.max(amount, -acct.balance) || 0;
      acct.balance += applied;
      acct.credited += applied;
      this.append(acct, { type, amount: applied, reference }, Date.now());
    }
    return this.snapshot(acct);
  }

  async balance(keyId: string, _tenantId: string): Promise<Balance> {
    this.reachable();
    return this.snapshot(this.account(keyId));
  }

  async entries(keyId: string, _tenantId: string, opts: { limit?: number; beforeSeq?: number } = {}) {
    this.reachable();
    const limit = Math.min(opts.limit ?? 100, 1000);
    const before = opts.beforeSeq ?? Number.POSITIVE_INFINITY;
    const newestFirst = [...this.account(keyId).entries].reverse().filter((e) => e.seq < before);
    return structuredClone(newestFirst.slice(0, limit));
  }

  async usage(tenantId: string, opts: { limit?: number; keyId?: string; since?: number } = {}) {
    this.reachable();
    const limit = Math.min(opts.limit ?? 100, 1000);
    const since = opts.since ?? Number.NEGATIVE_INFINITY;
    const mine = this.events.filter(
      (e) => e.tenantId === tenantId && (opts.keyId === undefined || e.keyId === opts.keyId) && e.at >= since,
    );
    // A stable sort of the reversed log: newest `at` first, later writes first among equal `at`.
    return structuredClone(
      mine
        .reverse()
        .sort((x, y) => y.at - x.at)
        .slice(0, limit),
    );
  }

  async sweep(now: number = Date.now()): Promise<number> {
    this.reachable();
    let count = 0;
    for (const acct of this.accounts.values()) {
      for (const [requestId, hold] of acct.holds) {
        if (hold.state !== "open" || hold.expiresAt > now) continue;
        this.resolve(acct, requestId, hold, "expired", hold.amount, ["expired"], now);
        this.dropInFlight(acct.keyId, hold);
        this.events.push({
          requestId,
          at: now,
          tenantId: hold.tenantId,
          keyId: acct.keyId,
          inputTokens: 0,
          outputTokens: 0,
          cost: hold.amount,
          cache: "none",
          latencyMs: 0,
          status: 0,
          policyVersion: "",
          flags: ["expired"],
        });
        count++;
      }
    }
    return count;
  }

  async recordToolCall(tenantId: string, taskId: string, limits: TaskLimits): Promise<{ ok: boolean }> {
    this.reachable();
    return { ok: this.tasks.recordToolCall(tenantId, taskId, limits, Date.now()) };
  }

  async record(event: UsageEvent): Promise<RecordResult> {
    this.reachable();
    const id = `${event.tenantId}\u0000${event.requestId}`;
    if (this.recorded.has(id)) return { kind: "duplicate" };
    this.recorded.add(id);
    this.events.push(structuredClone(event));
    return { kind: "recorded" };
  }

  /** Spec order: duplicate request id, idempotency, rate limits, task budget, credits. */
  private decide(req: AdmitRequest, now: number): AdmitResult | Grant {
    const acct = this.account(req.keyId);
    if (acct.holds.has(req.requestId)) return { kind: "duplicate_request" };
    if (req.idempotency) {
      const record = this.idempotency.get(`${req.keyId}\u0000${req.idempotency.key}`);
      if (record && record.expiresAt > now) {
        if (record.bodyHash !== req.idempotency.bodyHash) return { kind: "idempotency_mismatch" };
        if (record.response) return { kind: "replay", response: record.response };
        return { kind: "idempotency_in_flight" };
      }
    }
    const granted = grantable(acct.balance, req);
    const tokens = req.promptTokens + granted;
    const refused = this.rates.check(req, tokens, now) ?? this.tasks.check(req, now);
    if (refused) return refused;
    if (acct.balance < req.promptCost || granted < req.minOutputTokens) {
      const needed = req.promptCost + outputCost(req.minOutputTokens, req.outputPricePerMtok);
      return { kind: "insufficient_credits", balance: acct.balance, needed };
    }
    return { granted, tokens, reserved: req.promptCost + outputCost(granted, req.outputPricePerMtok) };
  }

  private apply(req: AdmitRequest, g: Grant, now: number): AdmitResult {
    const acct = this.account(req.keyId);
    const hold: Hold = { amount: g.reserved, tenantId: req.tenantId, expiresAt: now + req.holdTtlMs, state: "open" };
    if (req.idempotency) hold.idempotencyKey = req.idempotency.key;
    acct.holds.set(req.requestId, hold);
    acct.balance -= g.reserved;
    acct.held += g.reserved;
    this.append(acct, { type: "reserve", requestId: req.requestId, amount: -g.reserved, charged: g.reserved }, now);
    const rate = this.rates.record(req, g.tokens, now);
    this.tasks.admitted(req, now);
    if (req.idempotency) {
      const { key, bodyHash, ttlMs } = req.idempotency;
      this.idempotency.set(`${req.keyId}\u0000${key}`, { bodyHash, ttlMs, expiresAt: now + ttlMs });
    }
    const clamped = g.granted < req.maxOutputTokens;
    return {
      kind: "admitted",
      reserved: g.reserved,
      outputTokens: g.granted,
      clamped,
      balanceAfter: acct.balance,
      rate,
    };
  }

  private resolve(
    acct: Account,
    requestId: string,
    hold: Hold,
    state: Terminal,
    charged: number,
    flags: string[],
    now: number,
  ) {
    hold.state = state;
    // Expiry bills the whole hold: nothing returns to the balance.
    const released = state === "expired" ? 0 : hold.amount - charged;
    acct.balance += released;
    acct.held -= hold.amount;
    acct.billed += charged;
    const type = TERMINAL_ENTRY[state];
    this.append(acct, { type, requestId, amount: released, ...(type === "void" ? {} : { charged }), flags }, now);
  }

  private append(acct: Account, e: Omit<LedgerEntry, "seq" | "at" | "balanceAfter">, now: number): void {
    acct.entries.push({ ...e, seq: acct.entries.length + 1, at: now, balanceAfter: acct.balance });
  }

  private account(keyId: string): Account {
    const found = this.accounts.get(keyId);
    if (found) return found;
    const fresh: Account = {
      keyId,
      balance: 0,
      held: 0,
      credited: 0,
      billed: 0,
      entries: [],
      references: new Set(),
      holds: new Map(),
    };
    this.accounts.set(keyId, fresh);
    return fresh;
  }

  private snapshot(a: Account): Balance {
    const openHolds = [...a.holds.values()].filter((h) => h.state === "open").length;
    return { keyId: a.keyId, balance: a.balance, held: a.held, openHolds, credited: a.credited, billed: a.billed };
  }

  private reachable(): void {
    if (this.down) throw new StoreUnavailableError("reference store is down");
  }
}

/** One in-memory store (ledger + keys) with a switch that makes every call fail as if the store were unreachable. */
export function createReferenceStore(options: ReferenceOptions = {}) {
  const ledger = new ReferenceLedger(options);
  const keys = new ReferenceKeyStore(() => ledger.down);
  const setDown = (down: boolean): void => {
    ledger.down = down;
  };
  return { ledger, keys, setDown };
}
