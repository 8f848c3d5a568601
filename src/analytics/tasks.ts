import type { TaskRecord } from "./types";

export interface TaskRow {
  task_id: string;
  calls: number;
  tool_calls: number;
  cost: number;
  first_at: number;
  last_at: number;
  last_status: number;
  budget_stopped: boolean;
  outcome: "success" | "failure";
  /** Whether the outcome was marked by the client (else derived from the last call). */
  marked: boolean;
  feature: string;
  key: string;
}

export interface TaskSummary {
  tasks: number;
  successful: number;
  stopped_by_budget: number;
  calls: number;
  calls_per_task: number | null;
  /** Micro-credits: the mean over tasks, and all tasks' cost over the successful ones (failures paid for too). */
  cost: number;
  cost_per_task: number | null;
  cost_per_successful_task: number | null;
  /** Tasks per cost band: [upper bound in micro-credits (null = above the last), count]. */
  cost_distribution: { le: number | null; tasks: number }[];
  top: TaskRow[];
}

/**
 * A task succeeded when the client marked it so, or — unmarked — when its last model call succeeded and no budget
 * stopped it.
 */
export function taskRow(t: TaskRecord): TaskRow {
  const derived = t.lastStatus > 0 && t.lastStatus < 400 && !t.budgetStopped ? "success" : "failure";
  return {
    task_id: t.taskId,
    calls: t.calls,
    tool_calls: t.toolCalls,
    cost: t.cost,
    first_at: t.firstAt,
    last_at: t.lastAt === Number.MIN_SAFE_INTEGER ? t.firstAt : t.lastAt,
    last_status: t.lastStatus,
    budget_stopped: t.budgetStopped,
    outcome: t.outcome ?? derived,
    marked: t.outcome !== undefined,
    feature: t.feature,
    key: t.key,
  };
}

/** Cost bands: 1, 10, 100 ... micro-credits up to 1,000 credits, then everything above. */
const BANDS = Array.from({ length: 10 }, (_, i) => 10 ** i);

export function summarizeTasks(records: readonly TaskRecord[], top = 10): TaskSummary {
  const rows = records.map(taskRow);
  const calls = rows.reduce((n, r) => n + r.calls, 0);
  const cost = rows.reduce((n, r) => n + r.cost, 0);
  const successful = rows.filter((r) => r.outcome === "success").length;
  const counts = new Array<number>(BANDS.length + 1).fill(0);
  for (const r of rows) {
    const i = BANDS.findIndex((b) => r.cost <= b);
    counts[i === -1 ? BANDS.length : i] = (counts[i === -1 ? BANDS.length : i] ?? 0) + 1;
  }
  return {
    tasks: rows.length,
    successful,
    stopped_by_budget: rows.filter((r) => r.budget_stopped).length,
    calls,
    calls_per_task: rows.length > 0 ? calls / rows.length : null,
    cost,
    cost_per_task: rows.length > 0 ? cost / rows.length : null,
    cost_per_successful_task: successful > 0 ? cost / successful : null,
    cost_distribution: counts.map((n, i) => ({ le: BANDS[i] ?? null, tasks: n })),
    top: [...rows].sort((a, b) => b.cost - a.cost || (a.task_id < b.task_id ? -1 : 1)).slice(0, top),
  };
}
