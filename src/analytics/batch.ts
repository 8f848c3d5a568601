import type { UsageEvent } from "../ledger/types";
import { addCounters, eventCounters, eventDims, isBudgetStop } from "./event-counters";
import { type Cell, INTERVAL_MS, type Interval, type RollupBatch, type TaskDelta } from "./types";

const INTERVALS: Interval[] = ["minute", "hour", "day"];

export function bucketStart(at: number, interval: Interval): number {
  const size = INTERVAL_MS[interval];
  return Math.floor(at / size) * size;
}

/** A later call wins; equal times are ordered by request id, so merging is the same in any order. */
export function isLater(at: number, requestId: string, thanAt: number, thanRequestId: string): boolean {
  return at > thanAt || (at === thanAt && requestId > thanRequestId);
}

/** Folds usage events into one batch: a cell per (interval, bucket, dims) and a delta per task. */
export function buildBatch(id: string, events: readonly UsageEvent[]): RollupBatch {
  const cells = new Map<string, Cell>();
  const tasks = new Map<string, TaskDelta>();
  for (const event of events) {
    const dims = eventDims(event);
    const counters = eventCounters(event);
    const dimsKey = JSON.stringify(dims);
    for (const interval of INTERVALS) {
      const start = bucketStart(event.at, interval);
      const key = `${interval}|${start}|${dimsKey}`;
      let cell = cells.get(key);
      if (cell === undefined) {
        cell = { interval, start, dims, counters: {} };
        cells.set(key, cell);
      }
      addCounters(cell.counters, counters);
    }
    if (event.taskId !== undefined) mergeTask(tasks, event.taskId, event);
  }
  return { id, cells: [...cells.values()], tasks: [...tasks.values()] };
}

function mergeTask(tasks: Map<string, TaskDelta>, taskId: string, event: UsageEvent): void {
  const isTool = event.tool !== undefined;
  const cost = Number.isSafeInteger(event.cost) && event.cost > 0 ? event.cost : 0;
  const delta: TaskDelta = {
    taskId,
    calls: isTool ? 0 : 1,
    toolCalls: isTool ? 1 : 0,
    cost,
    firstAt: event.at,
    // Tool events never decide the outcome: only model calls are "the last call".
    lastAt: isTool ? Number.MIN_SAFE_INTEGER : event.at,
    lastRequestId: isTool ? "" : event.requestId,
    lastStatus: isTool ? 0 : event.status,
    budgetStopped: isBudgetStop(event),
    feature: event.feature ?? "",
    key: event.keyId,
  };
  const had = tasks.get(taskId);
  tasks.set(taskId, had === undefined ? delta : mergeTaskDelta(had, delta));
}

/** Merges two deltas of one task; commutative and associative, so the order of flushes does not matter. */
export function mergeTaskDelta<T extends TaskDelta>(a: T, b: TaskDelta): T {
  const bLater = isLater(b.lastAt, b.lastRequestId, a.lastAt, a.lastRequestId);
  // Equal first times: the smaller (feature, key) wins, so the result does not depend on the merge order.
  const bFirst =
    b.firstAt < a.firstAt || (b.firstAt === a.firstAt && `${b.feature}\u0000${b.key}` < `${a.feature}\u0000${a.key}`);
  return {
    ...a,
    calls: a.calls + b.calls,
    toolCalls: a.toolCalls + b.toolCalls,
    cost: a.cost + b.cost,
    firstAt: Math.min(a.firstAt, b.firstAt),
    lastAt: bLater ? b.lastAt : a.lastAt,
    lastRequestId: bLater ? b.lastRequestId : a.lastRequestId,
    lastStatus: bLater ? b.lastStatus : a.lastStatus,
    budgetStopped: a.budgetStopped || b.budgetStopped,
    feature: bFirst ? b.feature : a.feature,
    key: bFirst ? b.key : a.key,
  };
}
