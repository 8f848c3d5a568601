import { first, rows, run } from "../../storage/sql";
import type { AdmitResult, Micros, TaskLimits } from "../types";

/**
 * Task budgets, per (tenant, task id) — the tenant is implied by the Durable Object. Counters live `ttlMs` after the
 * task's last use; an expired task reads as empty and is overwritten on its next write.
 */
export interface TaskCounters {
  calls: number;
  tokens: number;
  cost: Micros;
  toolCalls: number;
  ttlMs: number;
}

type TaskRow = { calls: number; tokens: number; cost: number; tool_calls: number; ttl_ms: number; expires_at: number };

/** Used when a task is first touched by a tool call or a settle rather than an admit (no ttl known yet). */
const DEFAULT_TASK_TTL_MS = 3_600_000;

/** A task's row as stored (`null`: no row), and the fingerprint counts read or written so far. */
interface TaskMemory {
  row: (TaskCounters & { expiresAt: number }) | null;
  fingerprints: Map<string, number>;
}

/**
 * Task state as this object last read or wrote it, so a busy task costs one read per object life instead of several
 * per admission and settlement: sound for the same reason as the account cache (the object is the only writer and runs
 * one call at a time), and dropped on rollback (`forgetTasks`, TenantLedger.tx). `purgeDue` is a lower bound on the
 * earliest expiry of any stored task (`null`: unknown), so expired tasks are looked for only once one may be due.
 */
interface ObjectTasks {
  tasks: Map<string, TaskMemory>;
  purgeDue: number | null;
}

const memory = new WeakMap<SqlStorage, ObjectTasks>();
const MAX_CACHED = 1024;

export function forgetTasks(sql: SqlStorage): void {
  memory.delete(sql);
}

function objectTasks(sql: SqlStorage): ObjectTasks {
  let m = memory.get(sql);
  if (m === undefined) {
    m = { tasks: new Map(), purgeDue: null };
    memory.set(sql, m);
  }
  return m;
}

function taskMemory(sql: SqlStorage, taskId: string): TaskMemory {
  const { tasks } = objectTasks(sql);
  let t = tasks.get(taskId);
  if (t === undefined) {
    const row = first<TaskRow>(
      sql,
      "SELECT calls, tokens, cost, tool_calls, ttl_ms, expires_at FROM tasks WHERE task_id = ?",
      taskId,
    );
    t = {
      row: row
        ? {
            calls: row.calls,
            tokens: row.tokens,
            cost: row.cost,
            toolCalls: row.tool_calls,
            ttlMs: row.ttl_ms,
            expiresAt: row.expires_at,
          }
        : null,
      fingerprints: new Map(),
    };
    tasks.set(taskId, t);
    if (tasks.size > MAX_CACHED) {
      const oldest = tasks.keys().next();
      if (!oldest.done) tasks.delete(oldest.value);
    }
  }
  return t;
}

export function loadTask(sql: SqlStorage, taskId: string, now: number): TaskCounters | undefined {
  const { row } = taskMemory(sql, taskId);
  if (!row || row.expiresAt <= now) return undefined;
  return { calls: row.calls, tokens: row.tokens, cost: row.cost, toolCalls: row.toolCalls, ttlMs: row.ttlMs };
}

function fingerprintCount(sql: SqlStorage, taskId: string, fingerprint: string): number {
  const t = taskMemory(sql, taskId);
  let count = t.fingerprints.get(fingerprint);
  if (count === undefined) {
    const row = first<{ count: number }>(
      sql,
      "SELECT count FROM task_fingerprints WHERE task_id = ? AND fingerprint = ?",
      taskId,
      fingerprint,
    );
    count = row?.count ?? 0;
    t.fingerprints.set(fingerprint, count);
  }
  return count;
}

type TaskRefusal = Extract<AdmitResult, { kind: "task_budget_exceeded" | "task_loop_detected" }>;

export function checkTask(
  sql: SqlStorage,
  task: { id: string; fingerprint: string; limits: TaskLimits },
  promptTokens: number,
  promptCost: Micros,
  now: number,
): TaskRefusal | undefined {
  const counters = loadTask(sql, task.id, now);
  const { limits } = task;
  const calls = counters?.calls ?? 0;
  if (limits.max_calls !== undefined && calls >= limits.max_calls) {
    return { kind: "task_budget_exceeded", limit: "calls" };
  }
  if (limits.max_tokens !== undefined && (counters?.tokens ?? 0) + promptTokens > limits.max_tokens) {
    return { kind: "task_budget_exceeded", limit: "tokens" };
  }
  if (limits.max_cost !== undefined && (counters?.cost ?? 0) + promptCost > limits.max_cost) {
    return { kind: "task_budget_exceeded", limit: "cost" };
  }
  if (limits.max_identical_calls !== undefined) {
    const seen = counters ? fingerprintCount(sql, task.id, task.fingerprint) : 0;
    if (seen >= limits.max_identical_calls) return { kind: "task_loop_detected", repeats: seen };
  }
  return undefined;
}

function saveTask(sql: SqlStorage, taskId: string, c: TaskCounters, now: number): void {
  const expiresAt = now + c.ttlMs;
  run(
    sql,
    `INSERT INTO tasks (task_id, calls, tokens, cost, tool_calls, ttl_ms, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (task_id) DO UPDATE SET calls = excluded.calls, tokens = excluded.tokens, cost = excluded.cost,
       tool_calls = excluded.tool_calls, ttl_ms = excluded.ttl_ms, expires_at = excluded.expires_at`,
    taskId,
    c.calls,
    c.tokens,
    c.cost,
    c.toolCalls,
    c.ttlMs,
    expiresAt,
  );
  taskMemory(sql, taskId).row = { ...c, expiresAt };
  const m = objectTasks(sql);
  if (m.purgeDue !== null && expiresAt < m.purgeDue) m.purgeDue = expiresAt;
}

/**
 * Loads the live counters, or starts fresh (dropping an expired task's fingerprints). A fresh start keeps the ttl
 * the task was last given at admit; `ttlMs` only applies to a task never seen.
 */
function liveOrFresh(sql: SqlStorage, taskId: string, ttlMs: number, now: number): TaskCounters {
  const live = loadTask(sql, taskId, now);
  if (live) return live;
  const t = taskMemory(sql, taskId);
  // Fingerprints exist only beside a task row (both are written, and purged, together).
  if (t.row !== null) run(sql, "DELETE FROM task_fingerprints WHERE task_id = ?", taskId);
  t.fingerprints.clear();
  return { calls: 0, tokens: 0, cost: 0, toolCalls: 0, ttlMs: t.row?.ttlMs ?? ttlMs };
}

/** Expired tasks are dead weight; a task call made once one may be due removes a few. */
const PURGE_BATCH = 16;

function purgeExpired(sql: SqlStorage, now: number): void {
  const m = objectTasks(sql);
  if (m.purgeDue !== null && now < m.purgeDue) return;
  const stale = rows<{ task_id: string }>(
    sql,
    "SELECT task_id FROM tasks WHERE expires_at <= ? LIMIT ?",
    now,
    PURGE_BATCH,
  );
  for (const r of stale) {
    run(sql, "DELETE FROM task_fingerprints WHERE task_id = ?", r.task_id);
    run(sql, "DELETE FROM tasks WHERE task_id = ?", r.task_id);
    m.tasks.delete(r.task_id);
  }
  const next = first<{ at: number | null }>(sql, "SELECT MIN(expires_at) AS at FROM tasks");
  // More than a batch may be due: look again on the next call.
  m.purgeDue = stale.length === PURGE_BATCH ? now : typeof next?.at === "number" ? next.at : Number.POSITIVE_INFINITY;
}

export function recordTaskCall(sql: SqlStorage, task: { id: string; fingerprint: string; ttlMs: number }, now: number) {
  purgeExpired(sql, now);
  const c = liveOrFresh(sql, task.id, task.ttlMs, now);
  c.calls += 1;
  c.ttlMs = task.ttlMs;
  saveTask(sql, task.id, c, now);
  run(
    sql,
    `INSERT INTO task_fingerprints (task_id, fingerprint, count) VALUES (?, ?, 1)
     ON CONFLICT (task_id, fingerprint) DO UPDATE SET count = count + 1`,
    task.id,
    task.fingerprint,
  );
  const t = taskMemory(sql, task.id);
  const known = t.fingerprints.get(task.fingerprint);
  if (known !== undefined) t.fingerprints.set(task.fingerprint, known + 1);
}

/** Adds what a resolved call really used (tokens, billed cost, tool calls) and refreshes the task's lifetime. */
export function addTaskUsage(
  sql: SqlStorage,
  taskId: string,
  used: { tokens: number; cost: Micros; toolCalls: number },
  now: number,
): void {
  const c = liveOrFresh(sql, taskId, DEFAULT_TASK_TTL_MS, now);
  c.tokens += used.tokens;
  c.cost += used.cost;
  c.toolCalls += used.toolCalls;
  saveTask(sql, taskId, c, now);
}

/** One more tool call unless max_tool_calls is reached. */
export function tryToolCall(sql: SqlStorage, taskId: string, limits: TaskLimits, now: number): boolean {
  const c = liveOrFresh(sql, taskId, DEFAULT_TASK_TTL_MS, now);
  if (limits.max_tool_calls !== undefined && c.toolCalls >= limits.max_tool_calls) return false;
  c.toolCalls += 1;
  saveTask(sql, taskId, c, now);
  return true;
}
