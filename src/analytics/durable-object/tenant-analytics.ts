import { DurableObject } from "cloudflare:workers";
import type { Cell, CellQuery, RollupBatch, TaskQuery, TaskRecord } from "../types";
import { applyBatch, markTask, readCells, readTasks } from "./rollups";
import { migrateTenantAnalytics } from "./schema";

/**
 * One tenant's rollups (the embedded default analytics backend): counters per (interval, bucket, dimensions),
 * tasks, and the ids of applied batches, in this object's SQLite. Addressed by `idFromName("analytics:" + tenant)`.
 * A batch is applied in one synchronous transaction, so a reader never sees half of one.
 */
export class TenantAnalytics extends DurableObject {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    void ctx.blockConcurrencyWhile(async () => migrateTenantAnalytics(this.sql));
  }

  apply(batch: RollupBatch, now: number): void {
    this.ctx.storage.transactionSync(() => applyBatch(this.sql, batch, now));
  }

  cells(q: CellQuery): Cell[] {
    return readCells(this.sql, q);
  }

  tasks(q: TaskQuery): TaskRecord[] {
    return readTasks(this.sql, q);
  }

  markTask(taskId: string, outcome: "success" | "failure", at: number): void {
    this.ctx.storage.transactionSync(() => markTask(this.sql, taskId, outcome, at));
  }
}
