import { DurableObject } from "cloudflare:workers";
import { decodeStored } from "../../storage/decode";
import { first, rows, run } from "../../storage/sql";
import { KeyRecordSchema } from "../records";
import type {
  AdmitRequest,
  AdmitResult,
  Balance,
  KeyRecord,
  LedgerEntry,
  Micros,
  RecordResult,
  SettleRequest,
  SettleResult,
  TaskLimits,
  UsageEvent,
  VoidRequest,
  VoidResult,
} from "../types";
import { applyCredit, forgetAccounts, listEntries, loadAccount, toBalance } from "./accounts";
import { admit } from "./admit";
import type { LedgerOp, LedgerOpOutcome, LedgerOpResult } from "./batch";
import { HoldExpiry } from "./hold-expiry";
import { forgetRates } from "./rate-window";
import { expireDue, settle, voidHold } from "./resolve";
import { migrateTenantLedger } from "./schema";
import { forgetTasks, tryToolCall } from "./tasks";
import { listUsage, pageUsage, recordUsage } from "./usage";

/**
 * One tenant's whole ledger: every key's account, holds, rate windows (key and tenant level), task budgets,
 * idempotency records, usage events and the tenant's key index. A Durable Object runs one call at a time and every
 * method below does its reads and writes in one synchronous SQLite transaction, so an admission (idempotency,
 * duplicate, key + tenant rate limits, task budget, reserve) is atomic without locks or scripts. The clock is this
 * object's Date.now(), never the caller's.
 *
 * Holds expire on their own: an alarm is kept at or before the earliest open hold's expiry (hold-expiry.ts); it bills
 * due holds (flag `expired`) and re-arms for the earliest hold still open. Nothing needs to enumerate tenants to sweep.
 */
export class TenantLedger extends DurableObject {
  private readonly sql: SqlStorage;
  private readonly expiry = new HoldExpiry();
  private tenantId: string | undefined;
  /** The shard count (`credits.ledger_shards`) this object serves; see checkShards. */
  private shards: number | undefined;

  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    void ctx.blockConcurrencyWhile(async () => {
      migrateTenantLedger(this.sql);
      this.tenantId = first<{ v: string }>(this.sql, "SELECT v FROM meta WHERE k = 'tenant_id'")?.v;
      const shards = first<{ v: string }>(this.sql, "SELECT v FROM meta WHERE k = 'ledger_shards'")?.v;
      this.shards = shards === undefined ? undefined : Number(shards);
      this.expiry.known(await ctx.storage.getAlarm());
    });
  }

  admit(req: AdmitRequest, shards = 1): AdmitResult | Promise<AdmitResult> {
    this.checkShards(shards);
    this.remember(req.tenantId);
    const result = this.tx(() => admit(this.sql, req, Date.now(), this.expiry));
    return this.afterAlarm(result);
  }

  /** Closing a hold never moves the alarm (hold-expiry.ts): nothing to wait for after the transaction. */
  settle(req: SettleRequest, shards = 1): SettleResult {
    this.checkShards(shards);
    return this.tx(() => settle(this.sql, req, Date.now()));
  }

  voidHold(req: VoidRequest, shards = 1): VoidResult {
    this.checkShards(shards);
    return this.tx(() => voidHold(this.sql, req, Date.now()));
  }

  /**
   * Group commit (src/ledger/group-commit.ts): many admissions and settlements in one call. Each item runs in its own
   * transaction, in order, and answers on its own (a failing item rolls back alone and reports its error); all of
   * them run in this one synchronous turn, so the runtime commits them to storage together, and the alarm is moved
   * at most once (only when an admitted hold expires before it).
   */
  commit(ops: LedgerOp[], shards = 1): LedgerOpOutcome[] | Promise<LedgerOpOutcome[]> {
    this.checkShards(shards);
    const now = Date.now();
    const outcomes = ops.map((op): LedgerOpOutcome => {
      try {
        return { ok: true, value: this.apply(op, now) };
      } catch (err) {
        return { ok: false, error: err instanceof Error ? err.message : String(err) };
      }
    });
    return this.afterAlarm(outcomes);
  }

  private apply(op: LedgerOp, now: number): LedgerOpResult {
    switch (op.kind) {
      case "admit":
        this.remember(op.req.tenantId);
        return this.tx(() => admit(this.sql, op.req, now, this.expiry));
      case "settle":
        return this.tx(() => settle(this.sql, op.req, now));
      case "void":
        return this.tx(() => voidHold(this.sql, op.req, now));
    }
  }

  credit(
    keyId: string,
    tenantId: string,
    amount: Micros,
    reference: string,
    type: "topup" | "adjust",
    shards = 1,
  ): Balance {
    this.checkShards(shards);
    this.remember(tenantId);
    return this.tx(() => applyCredit(this.sql, keyId, amount, reference, type, Date.now()));
  }

  balance(keyId: string): Balance {
    return toBalance(loadAccount(this.sql, keyId));
  }

  entries(keyId: string, limit: number, beforeSeq?: number): LedgerEntry[] {
    return listEntries(this.sql, keyId, limit, beforeSeq);
  }

  usage(opts: { limit: number; keyId?: string; since?: number }): UsageEvent[] {
    return listUsage(this.sql, opts);
  }

  usagePage(q: Parameters<typeof pageUsage>[1]): ReturnType<typeof pageUsage> {
    return pageUsage(this.sql, q);
  }

  /** Expires due holds now (`now` defaults to this object's clock); the alarm does the same on its own. */
  sweep(now?: number): number {
    // Closing holds early cannot leave one open without an alarm before its expiry; the alarm stays as it is.
    return this.tx(() => expireDue(this.sql, this.tenantId ?? "", now ?? Date.now()));
  }

  recordToolCall(taskId: string, limits: TaskLimits, shards = 1): { ok: boolean } {
    this.checkShards(shards);
    return { ok: this.tx(() => tryToolCall(this.sql, taskId, limits, Date.now())) };
  }

  record(event: UsageEvent, shards = 1): RecordResult {
    this.checkShards(shards);
    this.remember(event.tenantId);
    return this.tx(() => recordUsage(this.sql, event, Date.now()));
  }

  /** Upserts the tenant's copy of a key record (the KeyDirectory holds the original). */
  indexKey(record: KeyRecord): void {
    this.remember(record.tenantId);
    run(
      this.sql,
      `INSERT INTO key_index (key_id, created_at, record) VALUES (?, ?, ?)
       ON CONFLICT (key_id) DO UPDATE SET created_at = excluded.created_at, record = excluded.record`,
      record.keyId,
      record.createdAt,
      JSON.stringify(record),
    );
  }

  listKeys(): KeyRecord[] {
    const found = rows<{ record: string }>(this.sql, "SELECT record FROM key_index ORDER BY created_at DESC, key_id");
    return found.map((r) => decodeStored(KeyRecordSchema, r.record, "key record"));
  }

  override async alarm(): Promise<void> {
    this.tx(() => expireDue(this.sql, this.tenantId ?? "", Date.now()));
    // A fired alarm is cleared by the runtime, so whatever is still open needs a new one.
    await this.expiry.fired(this.sql, this.ctx.storage);
  }

  private tx<T>(fn: () => T): T {
    try {
      return this.ctx.storage.transactionSync(fn);
    } catch (err) {
      // Rolled back: what the in-memory caches learnt inside the transaction never happened.
      forgetAccounts(this.sql);
      forgetRates(this.sql);
      forgetTasks(this.sql);
      throw err;
    }
  }

  /**
   * Placement depends on the tenant's shard count, so a call made under another count than the one this object's
   * accounts were placed by would read or bill a key in the wrong object. Such calls are refused (the caller sees
   * store_unavailable: admissions fail closed, settlements wait in the outbox) while this object holds any account;
   * an object without accounts adopts the new count. An object from before sharding has count 1.
   */
  private checkShards(n: number): void {
    if (n === this.shards) return;
    const used = first(this.sql, "SELECT 1 AS x FROM accounts LIMIT 1") !== undefined;
    const stored = this.shards ?? (used ? 1 : undefined);
    if (stored !== undefined && stored !== n && used) {
      throw new Error(
        `ledger_shards changed from ${stored} to ${n} while this ledger object holds accounts; restore ${stored} ` +
          "(see README: one tenant object's throughput, and past it)",
      );
    }
    run(this.sql, "INSERT OR REPLACE INTO meta (k, v) VALUES ('ledger_shards', ?)", String(n));
    this.shards = n;
  }

  private remember(tenantId: string): void {
    if (this.tenantId === tenantId) return;
    this.tenantId = tenantId;
    run(this.sql, "INSERT OR REPLACE INTO meta (k, v) VALUES ('tenant_id', ?)", tenantId);
  }

  /**
   * Moves the alarm earlier if an admission needs it, and answers after that write; otherwise answers at once (no
   * promise to wait for: the output gate still holds the answer until the transaction is durable).
   */
  private afterAlarm<T>(result: T): T | Promise<T> {
    const write = this.expiry.sync(this.ctx.storage);
    return write === undefined ? result : write.then(() => result);
  }
}
