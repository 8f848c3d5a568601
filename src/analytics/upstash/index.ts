import { Redis } from "@upstash/redis/cloudflare";
import { part } from "../../ledger/upstash/keys";
import { type AnalyticsStore, type Cell, type Dims, INTERVAL_MS, RETENTION_MS, type TaskRecord } from "../types";
import { APPLY, CELLS, MARK, TASKS } from "./scripts";

export interface UpstashAnalyticsOptions {
  url: string;
  token: string;
  /** Key prefix, default "an:". */
  prefix?: string;
  retry?: false;
}

/** A bucket range larger than this is refused by the API before it gets here; the store enforces it too. */
export const MAX_BUCKETS = 2000;

type Flat = string[] | Record<string, never>;
const pairs = (flat: Flat): [string, string][] => {
  const out: [string, string][] = [];
  if (!Array.isArray(flat)) return out;
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([String(flat[i]), String(flat[i + 1])]);
  return out;
};

/**
 * Rollups in Upstash Redis: one hash per (tenant, interval, bucket) with a field per (dimensions, counter), bumped
 * with HINCRBY by one Lua script per batch — atomic, exactly once per batch id. Reads are one script call each.
 */
export function createUpstashAnalytics(opts: UpstashAnalyticsOptions): AnalyticsStore {
  const redis = new Redis({
    url: opts.url,
    token: opts.token,
    automaticDeserialization: false,
    enableTelemetry: false,
    ...(opts.retry === false ? { retry: false as const } : {}),
  });
  const prefix = opts.prefix ?? "an:";
  const tp = (tenantId: string) => `${prefix}${part(tenantId)}:`;
  const apply = redis.createScript<unknown>(APPLY);
  const mark = redis.createScript<unknown>(MARK);
  const cells = redis.createScript<unknown>(CELLS);
  const tasks = redis.createScript<unknown>(TASKS);
  const retention = JSON.stringify(RETENTION_MS);
  const json = <T>(reply: unknown): T => JSON.parse(String(reply)) as T;
  return {
    name: "upstash",
    async apply(tenantId, batch) {
      const wire = {
        id: batch.id,
        cells: batch.cells.map((c) => ({ ...c, dimsKey: JSON.stringify(c.dims) })),
        tasks: batch.tasks,
      };
      await apply.exec([], [tp(tenantId), JSON.stringify(wire), String(Date.now()), retention]);
    },
    async cells(tenantId, q) {
      const size = INTERVAL_MS[q.interval];
      const starts: string[] = [];
      for (let s = Math.floor(q.from / size) * size; s < q.to; s += size) starts.push(String(s));
      if (starts.length > MAX_BUCKETS) throw new RangeError(`at most ${MAX_BUCKETS} buckets per query`);
      if (starts.length === 0) return [];
      const reply = json<Flat[]>(await cells.exec([], [tp(tenantId), q.interval, ...starts]));
      const out: Cell[] = [];
      reply.forEach((flat, i) => {
        const byDims = new Map<string, Cell>();
        for (const [field, value] of pairs(flat)) {
          const bar = field.lastIndexOf("|");
          const dimsKey = field.slice(0, bar);
          let cell = byDims.get(dimsKey);
          if (cell === undefined) {
            const start = Number(starts[i]);
            cell = { interval: q.interval, start, dims: JSON.parse(dimsKey) as Dims, counters: {} };
            byDims.set(dimsKey, cell);
          }
          cell.counters[field.slice(bar + 1)] = Number(value);
        }
        out.push(...byDims.values());
      });
      return out;
    },
    async tasks(tenantId, q) {
      const reply = json<[string, Flat][]>(
        await tasks.exec([], [tp(tenantId), String(q.from), String(q.to), String(q.limit)]),
      );
      // cjson encodes an empty table as {}: no tasks.
      if (!Array.isArray(reply)) return [];
      return reply.map(([taskId, flat]) => taskRecord(taskId, new Map(pairs(flat))));
    },
    async markTask(tenantId, taskId, outcome, at) {
      await mark.exec([], [tp(tenantId), taskId, outcome, String(at)]);
    },
  };
}

function taskRecord(taskId: string, f: Map<string, string>): TaskRecord {
  const num = (name: string) => Number(f.get(name) ?? 0);
  const t: TaskRecord = {
    taskId,
    calls: num("calls"),
    toolCalls: num("tools"),
    cost: num("cost"),
    firstAt: num("first"),
    lastAt: f.has("last") ? num("last") : Number.MIN_SAFE_INTEGER,
    lastRequestId: f.get("lrid") ?? "",
    lastStatus: num("lstat"),
    budgetStopped: f.get("budget") === "1",
    feature: f.get("feature") ?? "",
    key: f.get("key") ?? "",
  };
  const outcome = f.get("outcome");
  if (outcome === "success" || outcome === "failure") t.outcome = outcome;
  return t;
}
