import { mergeTaskDelta } from "../batch";
import {
  type Cell,
  type CellQuery,
  type Dims,
  INTERVAL_MS,
  type Interval,
  RETENTION_MS,
  type RollupBatch,
  type TaskDelta,
  type TaskQuery,
  type TaskRecord,
} from "../types";

/** Batch ids are remembered a day: longer than any flush is retried. */
const BATCH_MEMORY_MS = 86_400_000;

type TaskRowSql = {
  task_id: string;
  calls: number;
  tool_calls: number;
  cost: number;
  first_at: number;
  last_at: number;
  last_request_id: string;
  last_status: number;
  budget_stopped: number;
  feature: string;
  key: string;
  outcome: string | null;
};

function fromRow(r: TaskRowSql): TaskRecord {
  const t: TaskRecord = {
    taskId: r.task_id,
    calls: r.calls,
    toolCalls: r.tool_calls,
    cost: r.cost,
    firstAt: r.first_at,
    lastAt: r.last_at,
    lastRequestId: r.last_request_id,
    lastStatus: r.last_status,
    budgetStopped: r.budget_stopped === 1,
    feature: r.feature,
    key: r.key,
  };
  if (r.outcome === "success" || r.outcome === "failure") t.outcome = r.outcome;
  return t;
}

function readTask(sql: SqlStorage, taskId: string): TaskRecord | undefined {
  const [row] = sql.exec<TaskRowSql>("SELECT * FROM tasks WHERE task_id = ?", taskId).toArray();
  return row === undefined ? undefined : fromRow(row);
}

function writeTask(sql: SqlStorage, t: TaskRecord): void {
  sql.exec(
    `INSERT OR REPLACE INTO tasks (task_id, calls, tool_calls, cost, first_at, last_at, last_request_id, last_status,
       budget_stopped, feature, key, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    t.taskId,
    t.calls,
    t.toolCalls,
    t.cost,
    t.firstAt,
    t.lastAt,
    t.lastRequestId,
    t.lastStatus,
    t.budgetStopped ? 1 : 0,
    t.feature,
    t.key,
    t.outcome ?? null,
  );
}

function mergeTask(sql: SqlStorage, delta: TaskDelta): void {
  const had = readTask(sql, delta.taskId);
  writeTask(sql, had === undefined ? delta : mergeTaskDelta(had, delta));
}

/** Applies a batch once (run inside a transaction); a batch id seen before changes nothing. */
export function applyBatch(sql: SqlStorage, batch: RollupBatch, now: number): void {
  const seen = sql.exec("SELECT 1 FROM batches WHERE id = ?", batch.id).toArray();
  if (seen.length > 0) return;
  sql.exec("INSERT INTO batches (id, at) VALUES (?, ?)", batch.id, now);
  for (const cell of batch.cells) {
    const dims = JSON.stringify(cell.dims);
    for (const [name, value] of Object.entries(cell.counters)) {
      sql.exec(
        `INSERT INTO counters (interval, start, dims, name, value) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (interval, start, dims, name) DO UPDATE SET value = value + excluded.value`,
        cell.interval,
        cell.start,
        dims,
        name,
        value,
      );
    }
  }
  for (const delta of batch.tasks) mergeTask(sql, delta);
  prune(sql, now);
}

function prune(sql: SqlStorage, now: number): void {
  for (const interval of Object.keys(RETENTION_MS) as Interval[]) {
    sql.exec("DELETE FROM counters WHERE interval = ? AND start < ?", interval, now - RETENTION_MS[interval]);
  }
  sql.exec("DELETE FROM tasks WHERE first_at < ?", now - RETENTION_MS.hour);
  sql.exec("DELETE FROM batches WHERE at < ?", now - BATCH_MEMORY_MS);
}

export function readCells(sql: SqlStorage, q: CellQuery): Cell[] {
  const cells = new Map<string, Cell>();
  const from = Math.floor(q.from / INTERVAL_MS[q.interval]) * INTERVAL_MS[q.interval];
  const found = sql.exec<{ start: number; dims: string; name: string; value: number }>(
    "SELECT start, dims, name, value FROM counters WHERE interval = ? AND start >= ? AND start < ?",
    q.interval,
    from,
    q.to,
  );
  for (const row of found) {
    const key = `${row.start}|${row.dims}`;
    let cell = cells.get(key);
    if (cell === undefined) {
      cell = { interval: q.interval, start: row.start, dims: JSON.parse(row.dims) as Dims, counters: {} };
      cells.set(key, cell);
    }
    cell.counters[row.name] = row.value;
  }
  return [...cells.values()];
}

export function readTasks(sql: SqlStorage, q: TaskQuery): TaskRecord[] {
  return sql
    .exec<TaskRowSql>(
      "SELECT * FROM tasks WHERE first_at >= ? AND first_at < ? ORDER BY first_at DESC, task_id LIMIT ?",
      q.from,
      q.to,
      q.limit,
    )
    .toArray()
    .map(fromRow);
}

/** The client's outcome mark; a task not seen yet is created empty, so the mark survives its events' flush. */
export function markTask(sql: SqlStorage, taskId: string, outcome: "success" | "failure", at: number): void {
  const had = readTask(sql, taskId) ?? {
    taskId,
    calls: 0,
    toolCalls: 0,
    cost: 0,
    firstAt: at,
    lastAt: Number.MIN_SAFE_INTEGER,
    lastRequestId: "",
    lastStatus: 0,
    budgetStopped: false,
    feature: "",
    key: "",
  };
  writeTask(sql, { ...had, outcome });
}
