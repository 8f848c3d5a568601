import { type Aggregated, aggregate, type Filters } from "./aggregate";
import { summarizeTasks, type TaskSummary } from "./tasks";
import { type AnalyticsStore, type Dimension, INTERVAL_MS, type Interval } from "./types";

export interface ReportParams {
  interval: Interval;
  from: number;
  to: number;
  groupBy: Dimension[];
  filters: Filters;
  /** Tasks read at most (the newest first calls). */
  taskLimit?: number;
}

export interface Report extends Aggregated {
  interval: Interval;
  from: number;
  to: number;
  group_by: Dimension[];
  filters: Filters;
  tasks: TaskSummary & { truncated: boolean };
}

/** Most buckets one report may span (e.g. 2000 minutes, 83 days of hours). */
export const MAX_REPORT_BUCKETS = 2000;
const TASK_LIMIT = 10_000;

/** Buckets a range spans at an interval (the first bucket starts at or before `from`). */
export function bucketCount(interval: Interval, from: number, to: number): number {
  const size = INTERVAL_MS[interval];
  return Math.max(0, Math.ceil((to - Math.floor(from / size) * size) / size));
}

/**
 * One tenant's analytics for a range: rollups filtered and grouped, and its tasks (those whose first call is in the
 * range; of the dimension filters only `feature` and `key` apply to tasks, by the task's first call).
 */
export async function buildReport(store: AnalyticsStore, tenantId: string, p: ReportParams): Promise<Report> {
  const limit = p.taskLimit ?? TASK_LIMIT;
  const [cells, taskRecords] = await Promise.all([
    store.cells(tenantId, { interval: p.interval, from: p.from, to: p.to }),
    store.tasks(tenantId, { from: p.from, to: p.to, limit: limit + 1 }),
  ]);
  const tasks = taskRecords
    .slice(0, limit)
    .filter((t) => (p.filters.feature?.includes(t.feature) ?? true) && (p.filters.key?.includes(t.key) ?? true));
  return {
    interval: p.interval,
    from: p.from,
    to: p.to,
    group_by: p.groupBy,
    filters: p.filters,
    ...aggregate(cells, p.filters, p.groupBy),
    tasks: { ...summarizeTasks(tasks), truncated: taskRecords.length > limit },
  };
}
