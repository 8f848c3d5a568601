/**
 * Analytics: rollups of usage events per tenant, written off the hot path in batches and read back by the
 * analytics API and the dashboard. Every counter is an integer (money in micro-credits), so a cell's counters add up
 * exactly in any order, on any backend, across any number of isolates.
 */

export type Interval = "minute" | "hour" | "day";

export const INTERVAL_MS: Record<Interval, number> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
};

/** How long each interval's cells are kept: minutes two days, hours 62 days, days 400 days. */
export const RETENTION_MS: Record<Interval, number> = {
  minute: 2 * 86_400_000,
  hour: 62 * 86_400_000,
  day: 400 * 86_400_000,
};

/** The dimensions a cell is keyed by (and the API can filter and group by). Absent values are "". */
export const DIMENSIONS = ["feature", "route", "model", "provider", "key"] as const;
export type Dimension = (typeof DIMENSIONS)[number];
export type Dims = Record<Dimension, string>;

/** Named integer counters; dynamic names: `err.<code>` (errors by code) and `lat.<bucket>` (latency histogram). */
export type Counters = Record<string, number>;

/** One time bucket of one dimension combination. */
export interface Cell {
  interval: Interval;
  /** Bucket start, ms since the epoch (a multiple of the interval, UTC). */
  start: number;
  dims: Dims;
  counters: Counters;
}

/** What one batch adds to a task (an agent run sharing `x-gateway-task-id`). */
export interface TaskDelta {
  taskId: string;
  /** Model calls. */
  calls: number;
  toolCalls: number;
  cost: number;
  firstAt: number;
  /** The latest model call in this batch: its time, request id (tie-break) and status. */
  lastAt: number;
  lastRequestId: string;
  lastStatus: number;
  /** A call of this task was refused by a budget (task budget, loop guard, credits). */
  budgetStopped: boolean;
  feature: string;
  key: string;
}

/** A task as stored: deltas merged (sums, min/max, the latest call's status), plus the client's outcome mark. */
export interface TaskRecord extends TaskDelta {
  /** Set by the client (`POST /v1/tasks/{id}/outcome`); overrides the derived outcome. */
  outcome?: "success" | "failure";
}

export interface RollupBatch {
  /** Unique per flush: a backend applies a batch id once, so a retried flush is never counted twice. */
  id: string;
  cells: Cell[];
  tasks: TaskDelta[];
}

export interface CellQuery {
  interval: Interval;
  /** Inclusive bucket start, exclusive end (ms). */
  from: number;
  to: number;
}

export interface TaskQuery {
  /** Tasks whose first call is in [from, to). */
  from: number;
  to: number;
  /** At most this many tasks (the newest first calls win). */
  limit: number;
}

/** Storage for rollups, one implementation per backend; both pass test/integration/analytics/contract.ts. */
export interface AnalyticsStore {
  readonly name: string;
  apply(tenantId: string, batch: RollupBatch): Promise<void>;
  cells(tenantId: string, q: CellQuery): Promise<Cell[]>;
  tasks(tenantId: string, q: TaskQuery): Promise<TaskRecord[]>;
  markTask(tenantId: string, taskId: string, outcome: "success" | "failure", at: number): Promise<void>;
}
