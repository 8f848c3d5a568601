import type { UsageEvent } from "../ledger/types";
import { buildBatch } from "./batch";
import type { AnalyticsStore, RollupBatch } from "./types";

export interface CollectorOptions {
  /** How long events gather before a flush (ms); 0 = flush as soon as the current task yields. */
  flushMs: number;
  /** A tenant's buffer flushes at once when it holds this many events. */
  maxBatch?: number;
  /** Events kept per tenant while the store is down; beyond it the oldest are dropped (and counted). */
  maxBuffered?: number;
  sleep?: (ms: number) => Promise<void>;
  newId?: () => string;
}

/** Takes usage events off the request path; what settleDurably calls. Never throws, never awaits the store. */
export interface AnalyticsSink {
  add(event: UsageEvent, waitUntil: (p: Promise<unknown>) => void): void;
}

interface TenantBuffer {
  events: UsageEvent[];
  /** Batches built but not yet applied (the store failed): retried with the same id, so never counted twice. */
  unsent: RollupBatch[];
}

/**
 * Per-isolate buffer of usage events, flushed to the analytics store in one batch per tenant from `waitUntil`.
 *
 * Exactness: every event the ledger stored and this isolate saw is counted exactly once — a batch carries an id the
 * store applies once, and a failed batch is retried with the same id. What can be lost: events still buffered when
 * the isolate dies (at most `flushMs` of this isolate's traffic, or the retry backlog while the store is down), and
 * events beyond `maxBuffered` while the store is down (logged, counted in `dropped`).
 */
export class AnalyticsCollector implements AnalyticsSink {
  private readonly buffers = new Map<string, TenantBuffer>();
  private pending: Promise<void> | undefined;
  /** Events (or, past the backlog, whole batches) given up while the store was down. */
  dropped = 0;

  constructor(
    private readonly store: AnalyticsStore,
    private readonly opts: CollectorOptions,
  ) {}

  add(event: UsageEvent, waitUntil: (p: Promise<unknown>) => void): void {
    try {
      const buffer = this.buffer(event.tenantId);
      buffer.events.push(event);
      const max = this.opts.maxBuffered ?? 10_000;
      if (buffer.events.length > max) {
        this.dropped += buffer.events.length - max;
        buffer.events.splice(0, buffer.events.length - max);
        console.error(`analytics: store backlog over ${max} events for a tenant; dropped the oldest`);
      }
      const full = buffer.events.length >= (this.opts.maxBatch ?? 500);
      waitUntil(full ? this.flushNow() : this.schedule());
    } catch (err) {
      console.error("analytics: could not buffer a usage event", err);
    }
  }

  /** Flushes everything buffered now (tests and the dashboard's traffic script use it through the admin API). */
  flushNow(): Promise<void> {
    const run = this.flushAll().catch((err: unknown) => console.error("analytics: flush failed", err));
    return run;
  }

  private schedule(): Promise<void> {
    if (this.pending === undefined) {
      const sleep = this.opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
      this.pending = sleep(this.opts.flushMs).then(() => {
        this.pending = undefined;
        return this.flushNow();
      });
    }
    return this.pending;
  }

  private buffer(tenantId: string): TenantBuffer {
    let b = this.buffers.get(tenantId);
    if (b === undefined) {
      b = { events: [], unsent: [] };
      this.buffers.set(tenantId, b);
    }
    return b;
  }

  private async flushAll(): Promise<void> {
    await Promise.all([...this.buffers.entries()].map(([tenantId, b]) => this.flushTenant(tenantId, b)));
  }

  private async flushTenant(tenantId: string, b: TenantBuffer): Promise<void> {
    if (b.events.length > 0) {
      const id = this.opts.newId?.() ?? crypto.randomUUID();
      b.unsent.push(buildBatch(id, b.events.splice(0)));
    }
    // A store down for long: keep the newest batches only (each holds at most maxBatch-ish events).
    const maxUnsent = Math.max(1, Math.ceil((this.opts.maxBuffered ?? 10_000) / (this.opts.maxBatch ?? 500)));
    if (b.unsent.length > maxUnsent) {
      const gone = b.unsent.splice(0, b.unsent.length - maxUnsent);
      this.dropped += gone.length;
      console.error(`analytics: dropped ${gone.length} unsent batch(es) after the store stayed down`);
    }
    while (b.unsent.length > 0) {
      const batch = b.unsent[0];
      if (batch === undefined) break;
      try {
        await this.store.apply(tenantId, batch);
        // Another flush may have applied (and removed) it meanwhile; only drop it if it is still first.
        if (b.unsent[0] === batch) b.unsent.shift();
      } catch (err) {
        console.error(`analytics: ${this.store.name} store refused a batch; kept for the next flush`, err);
        return;
      }
    }
  }
}
