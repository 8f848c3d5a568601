import { DurableObject } from "cloudflare:workers";
import { type Bindings, parseLedgerConfig } from "../config";
import { selectLedger } from "../select";
import type { Ledger, UsageEvent } from "../types";
import { assertUsageEvent } from "../usage-event";
import { FIRST_RETRY_MS } from "./backoff";
import { type DrainReport, drainDue } from "./drain";
import { migrateOutbox } from "./schema";
import { earliestDue, insertOp, listOps, makeAllDue, status } from "./store";
import type { EnqueueResult, LedgerBackendName, OutboxItem, OutboxStatus, QueuedOp } from "./types";

/** Ops handed to the ledger per alarm run; more due ops re-arm the alarm at once. */
const BATCH = 50;

/**
 * Owner of settlements the request could not finish: `waitUntil` work is cut 30 s after the response, so an op that
 * met an unreachable ledger is stored here (SQLite, one row per request id) and retried from the alarm until the
 * ledger answers. The ledger resolves each hold exactly once, so a retry of an op that did land — a lost reply, a
 * duplicate enqueue — answers `already_resolved` and is done.
 *
 * The object builds its ledgers from its own env through selectLedger, per op backend (QueuedOp.backend).
 */
export class SettlementOutbox extends DurableObject {
  private readonly sql: SqlStorage;
  private readonly raw: Bindings;
  private readonly ledgers = new Map<string, Ledger>();
  private draining: Promise<DrainReport> | undefined;

  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.raw = asWorkerEnv(env);
    void ctx.blockConcurrencyWhile(async () => migrateOutbox(this.sql));
  }

  /**
   * Queues the op (a request id already queued for the same kind family answers `duplicate`, see rowKey) and makes sure the alarm will pick it up. A
   * malformed op is refused with a result rather than an exception, so nothing is thrown across the RPC boundary.
   */
  async enqueue(op: QueuedOp): Promise<EnqueueResult> {
    if (!isQueuedOp(op)) return { kind: "malformed" };
    const now = Date.now();
    const nextAt = now + FIRST_RETRY_MS;
    const queued = this.ctx.storage.transactionSync(() => insertOp(this.sql, op, now, nextAt));
    if (!queued) return { kind: "duplicate" };
    await this.armBy(nextAt);
    return { kind: "queued" };
  }

  /** How much is waiting (tests, admin, alerting on `oldestAgeMs`), counted after any drain in progress. */
  async pending(): Promise<OutboxStatus> {
    await this.draining?.catch(() => undefined);
    return status(this.sql, Date.now());
  }

  /** Queued ops, next retry first. */
  list(limit = 100): OutboxItem[] {
    return listOps(this.sql, Math.max(1, Math.min(1000, Math.floor(limit))));
  }

  /**
   * Makes every queued op due and hands a batch to the ledger now, instead of waiting out the backoff (admin, after
   * an outage is over). Further ops stay with the alarm.
   */
  async flush(): Promise<DrainReport> {
    makeAllDue(this.sql, Date.now());
    return await this.drain();
  }

  override async alarm(): Promise<void> {
    await this.drain();
  }

  /** One drain at a time: the alarm and a flush may overlap while a ledger call is in flight. */
  private drain(): Promise<DrainReport> {
    this.draining ??= this.drainOnce().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  private async drainOnce(): Promise<DrainReport> {
    const report = await drainDue(
      {
        sql: this.sql,
        ledgerFor: (backend, shards) => this.ledgerFor(backend, shards),
        now: () => Date.now(),
        random: Math.random,
      },
      BATCH,
    );
    // A fired alarm is cleared by the runtime; whatever is still queued needs a new one (a past time runs at once).
    const next = earliestDue(this.sql);
    if (next === undefined) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(next);
    return report;
  }

  private async armBy(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  private ledgerFor(backend: LedgerBackendName | null, shards: number): Ledger {
    const config = parseLedgerConfig(this.raw);
    const chosen = backend ?? config.LEDGER_BACKEND;
    const name = `${chosen}/${shards}`;
    let ledger = this.ledgers.get(name);
    if (ledger === undefined) {
      ledger = selectLedger({ config: { ...config, LEDGER_BACKEND: chosen } }, this.raw, {
        shards: () => shards,
      }).ledger;
      this.ledgers.set(name, ledger);
    }
    return ledger;
  }
}

// The runtime's env is a plain object of bindings and vars; parseLedgerConfig and selectLedger read it by name.
function asWorkerEnv(env: object): Bindings {
  return env as Bindings;
}

/** What could never settle is refused at enqueue time, so a malformed op never sits in the queue. */
function isQueuedOp(op: QueuedOp): boolean {
  if (typeof op !== "object" || op === null) return false;
  if (op.backend !== undefined && op.backend !== "upstash" && op.backend !== "durable-object") return false;
  if (op.shards !== undefined && !(Number.isInteger(op.shards) && op.shards >= 1)) return false;
  if (op.kind === "record") return isUsageEvent(op.event);
  if (op.kind !== "settle" && op.kind !== "void") return false;
  if (typeof op.req !== "object" || op.req === null) return false;
  const req: Partial<Record<"requestId" | "keyId" | "tenantId", unknown>> = op.req;
  return [req.requestId, req.keyId, req.tenantId].every((v) => typeof v === "string" && v.length > 0);
}

/** The ledger would refuse it with a RangeError on every retry, forever. */
function isUsageEvent(event: unknown): boolean {
  if (typeof event !== "object" || event === null) return false;
  try {
    assertUsageEvent(event as UsageEvent);
    return true;
  } catch {
    return false;
  }
}
