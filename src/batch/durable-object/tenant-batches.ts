import { DurableObject } from "cloudflare:workers";
import { first, num, rows, run, str } from "../../storage/sql";
import { errorLine } from "../lines";
import type { BatchItem, BatchObject, BatchOwner, ItemOutcome } from "../types";
import { activeBatchReading } from "./file-use";
import { migrateTenantBatches } from "./schema";
import { endedLines, stopCode } from "./stop";

/** What a consumer may do with the item its message names. */
export type Claim =
  /** The batch or the item is unknown (deleted, or a message from another deployment): drop the message. */
  | { kind: "gone" }
  /** Already ended; `finalize` says the batch still waits for its output files (a consumer died before writing). */
  | { kind: "settled"; finalize: boolean }
  /** Ended here without running (cancelled, out of credits, window over); `finalize` as above. */
  | { kind: "stopped"; finalize: boolean }
  /** Not now: another delivery holds it, or the tenant's route is at its concurrency. Offer it again later. */
  | { kind: "busy"; retryInMs: number }
  | { kind: "run"; item: BatchItem; route: string; owner: BatchOwner; attempt: number; expiresAtMs: number };

export interface ClaimOptions {
  /** Items of this tenant that may run at once, by route (`routes.<id>.batch.max_concurrency`). */
  concurrency: Record<string, number>;
  /** For items whose model resolved to no route (they fail in the planner, quickly). */
  fallback: number;
  /** How long a claim holds its slot before another delivery may take the item over (a consumer that died). */
  leaseMs: number;
}

const TERMINAL = new Set(["done", "failed", "cancelled"]);

/** Read through a function: `end` changes the status behind the compiler's narrowing. */
const finalizing = (batch: BatchObject) => batch.status === "finalizing";
const BUSY_RETRY_MS = 1000;

/**
 * One tenant's batches (addressed by `idFromName("batches:" + tenant)`): the batch records, every item and its
 * state, the per-route concurrency leases, and each item's output or error line. Every method is one synchronous
 * transaction, so two deliveries of one message can never both claim or both count an item.
 */
export class TenantBatches extends DurableObject {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    void ctx.blockConcurrencyWhile(async () => migrateTenantBatches(this.sql));
  }

  /** `routes[i]`: the route item i resolved to at creation (its concurrency slot), or "" for none. */
  create(batch: BatchObject, owner: BatchOwner, items: BatchItem[], routes: string[]): void {
    this.ctx.storage.transactionSync(() => {
      run(
        this.sql,
        "INSERT INTO batches (id, created_at, record, owner) VALUES (?, ?, ?, ?)",
        batch.id,
        batch.created_at,
        JSON.stringify(batch),
        JSON.stringify(owner),
      );
      items.forEach((item, idx) => {
        run(
          this.sql,
          "INSERT INTO items (batch_id, idx, custom_id, url, model, body, route, state) VALUES (?, ?, ?, ?, ?, ?, ?, 'queued')",
          batch.id,
          idx,
          item.custom_id,
          item.url,
          item.model,
          item.body,
          routes[idx] ?? "",
        );
      });
    });
  }

  /** A running batch that reads file `fileId` as its input (a file it reads must not be deleted). */
  batchReading(fileId: string): string | null {
    return activeBatchReading(this.sql, fileId) ?? null;
  }

  get(id: string): BatchObject | null {
    return this.record(id) ?? null;
  }

  /** Newest first; `after` is the last id of the previous page. */
  list(after: string | null, limit: number): { data: BatchObject[]; has_more: boolean } {
    const anchor = after === null ? undefined : first(this.sql, "SELECT created_at FROM batches WHERE id = ?", after);
    const found =
      anchor === undefined
        ? rows(this.sql, "SELECT record FROM batches ORDER BY created_at DESC, id DESC LIMIT ?", limit + 1)
        : rows(
            this.sql,
            `SELECT record FROM batches WHERE created_at < ? OR (created_at = ? AND id < ?)
             ORDER BY created_at DESC, id DESC LIMIT ?`,
            num(anchor.created_at),
            num(anchor.created_at),
            after,
            limit + 1,
          );
    const data = found.slice(0, limit).map((r) => JSON.parse(str(r.record) ?? "{}") as BatchObject);
    return { data, has_more: found.length > limit };
  }

  /** Stops a running batch: items not yet started end `cancelled` when their message comes; running ones finish. */
  cancel(id: string, nowMs: number): BatchObject | "conflict" | null {
    return this.ctx.storage.transactionSync(() => {
      const batch = this.record(id);
      if (batch === undefined) return null;
      if (batch.status === "cancelling" || batch.status === "cancelled") return batch;
      if (batch.status !== "in_progress" && batch.status !== "validating") return "conflict";
      batch.status = "cancelling";
      batch.cancelling_at = Math.floor(nowMs / 1000);
      this.save(batch);
      return batch;
    });
  }

  /**
   * The batch's messages could not all be sent (the queue refused): it is cancelled, and every item not yet started
   * ends unrun now, since no message may ever come for it. Items already running finish and keep their lines.
   */
  abandon(batchId: string, nowMs: number): { finalize: boolean } {
    return this.ctx.storage.transactionSync(() => {
      const batch = this.record(batchId);
      if (batch === undefined) return { finalize: false };
      batch.status = "cancelling";
      batch.cancelling_at = Math.floor(nowMs / 1000);
      const queued = rows(this.sql, "SELECT idx FROM items WHERE batch_id = ? AND state = 'queued'", batchId);
      for (const r of queued) this.end(batch, num(r.idx), "cancelled", null);
      this.save(batch);
      return { finalize: finalizing(batch) };
    });
  }

  /**
   * `ranElsewhere`: the item already ran (a provider batch answered it), so a cancelled batch still settles it: the
   * provider charged for it, so it is billed and kept, not dropped.
   */
  claim(batchId: string, idx: number, opts: ClaimOptions, nowMs: number, ranElsewhere = false): Claim {
    return this.ctx.storage.transactionSync((): Claim => {
      const batch = this.record(batchId);
      const item = first(this.sql, "SELECT * FROM items WHERE batch_id = ? AND idx = ?", batchId, idx);
      if (batch === undefined || item === undefined) return { kind: "gone" };
      const state = str(item.state) ?? "";
      if (TERMINAL.has(state)) return { kind: "settled", finalize: finalizing(batch) };
      const customId = str(item.custom_id) ?? "";
      if (batch.status === "cancelling" && !ranElsewhere) {
        this.end(batch, idx, "cancelled", null);
        return { kind: "stopped", finalize: finalizing(batch) };
      }
      const stop = stopCode(this.sql, batchId, nowMs, batch);
      if (stop !== undefined) {
        this.end(batch, idx, "failed", errorLine(batchId, idx, customId, stop));
        return { kind: "stopped", finalize: finalizing(batch) };
      }
      const leaseUntil = num(item.lease_until);
      if (state === "running" && leaseUntil > nowMs) return { kind: "busy", retryInMs: leaseUntil - nowMs };
      const route = str(item.route) ?? "";
      const running = first(
        this.sql,
        "SELECT COUNT(*) AS n FROM items WHERE state = 'running' AND route = ? AND lease_until > ?",
        route,
        nowMs,
      );
      if (num(running?.n) >= (opts.concurrency[route] ?? opts.fallback)) {
        return { kind: "busy", retryInMs: BUSY_RETRY_MS };
      }
      const attempt = num(item.attempts) + 1;
      run(
        this.sql,
        "UPDATE items SET state = 'running', lease_until = ?, attempts = ? WHERE batch_id = ? AND idx = ?",
        nowMs + opts.leaseMs,
        attempt,
        batchId,
        idx,
      );
      const owner = JSON.parse(str(first(this.sql, "SELECT owner FROM batches WHERE id = ?", batchId)?.owner) ?? "{}");
      return {
        kind: "run",
        item: {
          custom_id: customId,
          url: str(item.url) as BatchItem["url"],
          body: str(item.body) ?? "",
          model: str(item.model) ?? "",
        },
        route,
        owner: owner as BatchOwner,
        attempt,
        expiresAtMs: batch.expires_at * 1000,
      };
    });
  }

  /** Records how an item ended (once: a second report of an ended item changes nothing). */
  finish(batchId: string, idx: number, outcome: ItemOutcome): { finalize: boolean } {
    return this.ctx.storage.transactionSync(() => {
      const batch = this.record(batchId);
      const item = first(this.sql, "SELECT state FROM items WHERE batch_id = ? AND idx = ?", batchId, idx);
      if (batch === undefined || item === undefined) return { finalize: false };
      if (!TERMINAL.has(str(item.state) ?? "")) {
        if (outcome.outOfCredits === true) {
          run(this.sql, "UPDATE batches SET stop_code = 'insufficient_credits' WHERE id = ?", batchId);
        }
        this.end(batch, idx, outcome.ok ? "done" : "failed", outcome.line);
      }
      return { finalize: finalizing(batch) };
    });
  }

  /**
   * Gives an item back to the queue (deferred, or to be retried): its lease ends now. `lastError` is the error line
   * it ends with should the queue give up on it (`giveUp`, from the dead-letter queue).
   */
  release(batchId: string, idx: number, lastError: string | null): void {
    run(
      this.sql,
      `UPDATE items SET state = 'queued', lease_until = 0, line = COALESCE(?, line)
       WHERE batch_id = ? AND idx = ? AND state = 'running'`,
      lastError,
      batchId,
      idx,
    );
  }

  /** The queue gave up on an item (its retries are spent; the message is in the dead-letter queue): it fails. */
  giveUp(batchId: string, idx: number): { finalize: boolean } {
    return this.ctx.storage.transactionSync(() => {
      const batch = this.record(batchId);
      const item = first(this.sql, "SELECT * FROM items WHERE batch_id = ? AND idx = ?", batchId, idx);
      if (batch === undefined || item === undefined) return { finalize: false };
      if (!TERMINAL.has(str(item.state) ?? "")) {
        const line =
          str(item.line) ??
          errorLine(batchId, idx, str(item.custom_id) ?? "", {
            code: "upstream_unavailable",
            message: "The request could not be completed: its retries were spent.",
          });
        this.end(batch, idx, "failed", line);
      }
      return { finalize: finalizing(batch) };
    });
  }

  /** Output and error lines in input order, for the files written when the batch ends. */
  lines(batchId: string): { output: string[]; errors: string[] } {
    return endedLines(this.sql, batchId);
  }

  /** The batch's final state, once its files are written. Idempotent: `ended` only for the call that ended it. */
  finalize(
    batchId: string,
    files: { output: string | null; errors: string | null },
    nowMs: number,
  ): { batch: BatchObject; ended: boolean } | null {
    return this.ctx.storage.transactionSync(() => {
      const batch = this.record(batchId);
      if (batch === undefined) return null;
      if (batch.status !== "finalizing") return { batch, ended: false };
      const now = Math.floor(nowMs / 1000);
      batch.output_file_id = files.output;
      batch.error_file_id = files.errors;
      if (batch.cancelling_at !== null) {
        batch.status = "cancelled";
        batch.cancelled_at = now;
      } else if (batch.expired_at !== null) {
        batch.status = "expired";
      } else {
        batch.status = "completed";
        batch.completed_at = now;
      }
      this.save(batch);
      return { batch, ended: true };
    });
  }

  /** Ends one item and, when it was the last, moves the batch to `finalizing`. Saves the batch record. */
  private end(batch: BatchObject, idx: number, state: "done" | "failed" | "cancelled", line: string | null): void {
    run(
      this.sql,
      "UPDATE items SET state = ?, line = ?, lease_until = 0 WHERE batch_id = ? AND idx = ?",
      state,
      line,
      batch.id,
      idx,
    );
    if (state === "done") batch.request_counts.completed += 1;
    if (state === "failed") batch.request_counts.failed += 1;
    const open = first(
      this.sql,
      "SELECT COUNT(*) AS n FROM items WHERE batch_id = ? AND state IN ('queued', 'running')",
      batch.id,
    );
    if (num(open?.n) === 0) {
      batch.status = "finalizing";
      batch.finalizing_at = Math.floor(Date.now() / 1000);
    }
    this.save(batch);
  }

  private record(id: string): BatchObject | undefined {
    const row = first(this.sql, "SELECT record FROM batches WHERE id = ?", id);
    return row === undefined ? undefined : (JSON.parse(str(row.record) ?? "{}") as BatchObject);
  }

  private save(batch: BatchObject): void {
    run(this.sql, "UPDATE batches SET record = ? WHERE id = ?", JSON.stringify(batch), batch.id);
  }
}
