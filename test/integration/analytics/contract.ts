import { describe, expect, it } from "vitest";
import { shuffled } from "../../../scripts/eval/random";
import { aggregate } from "../../../src/analytics/aggregate";
import { buildBatch } from "../../../src/analytics/batch";
import { bucketUpper, latencyBucket } from "../../../src/analytics/latency";
import { summarizeTasks, taskRow } from "../../../src/analytics/tasks";
import type { AnalyticsStore, Interval } from "../../../src/analytics/types";
import type { UsageEvent } from "../../../src/ledger/types";
import { exactQuantile, mixedEvents, rawTotals } from "../../helpers/analytics-events";

const HOUR = 3_600_000;
const END = Math.floor(Date.now() / HOUR) * HOUR;
let tenantSeq = 0;
const freshTenant = () => `an-${Date.now().toString(36)}-${tenantSeq++}-${crypto.randomUUID().slice(0, 8)}`;

function withTenant(events: UsageEvent[], tenantId: string): UsageEvent[] {
  return events.map((e) => ({ ...e, tenantId }));
}

/** Applies `events` in `parts` batches, in a shuffled order. */
async function applyInParts(
  store: AnalyticsStore,
  tenantId: string,
  events: UsageEvent[],
  parts: number,
  seed: number,
) {
  const order = shuffled(events, seed);
  const size = Math.ceil(order.length / parts);
  for (let i = 0; i < parts; i++) {
    await store.apply(tenantId, buildBatch(`${tenantId}-b${i}`, order.slice(i * size, (i + 1) * size)));
  }
}

async function totalsOver(store: AnalyticsStore, tenantId: string, interval: Interval) {
  const cells = await store.cells(tenantId, { interval, from: END - 4 * HOUR, to: END + HOUR });
  return aggregate(cells, {}, []).totals;
}

/** One suite, run against every analytics backend. */
export function analyticsContract(backend: { name: string; make: () => AnalyticsStore }) {
  describe(`analytics store contract: ${backend.name}`, () => {
    it("rollups are exact against the raw events of a seeded mixed run, at every interval", async () => {
      const store = backend.make();
      const tenant = freshTenant();
      const events = withTenant(mixedEvents(7, 600, END), tenant);
      await applyInParts(store, tenant, events, 5, 11);
      const raw = rawTotals(events);
      for (const interval of ["minute", "hour", "day"] as const) {
        const t = await totalsOver(store, tenant, interval);
        const { latencies, ...expected } = raw;
        for (const [name, value] of Object.entries(expected)) {
          expect([interval, name, t[name as keyof typeof t]]).toEqual([interval, name, value]);
        }
        // Percentiles: the bucket upper bound of the exact value (never below it, at most one bucket above).
        for (const [q, got] of [
          [0.5, t.p50_ms],
          [0.95, t.p95_ms],
          [0.99, t.p99_ms],
        ] as const) {
          const exact = exactQuantile(latencies, q);
          expect(got).toBe(bucketUpper(latencyBucket(exact)));
          expect(got).toBeGreaterThanOrEqual(exact);
          expect(got ?? 0).toBeLessThanOrEqual(exact * 2 ** (1 / 8) + 0.01);
        }
      }
    });

    it("group_by and filters split the totals exactly (cost by feature and model)", async () => {
      const store = backend.make();
      const tenant = freshTenant();
      const events = withTenant(mixedEvents(21, 300, END), tenant);
      await applyInParts(store, tenant, events, 3, 5);
      const cells = await store.cells(tenant, { interval: "hour", from: END - 4 * HOUR, to: END });
      const { groups, series } = aggregate(cells, { model: ["small", "large"] }, ["feature", "model"]);
      for (const g of groups) {
        const mine = events.filter((e) => (e.feature ?? "") === g.group.feature && e.model === g.group.model);
        expect(g.cost).toBe(mine.reduce((n, e) => n + e.cost, 0));
        expect(g.requests).toBe(mine.filter((e) => e.tool === undefined).length);
      }
      const inFilter = events.filter((e) => e.model === "small" || e.model === "large");
      expect(groups.reduce((n, g) => n + g.cost, 0)).toBe(inFilter.reduce((n, e) => n + e.cost, 0));
      expect(series.reduce((n, g) => n + g.requests, 0)).toBe(inFilter.filter((e) => !e.tool).length);
      for (const row of series) expect(row.start ?? -1).toBe(Math.floor((row.start ?? 0) / HOUR) * HOUR);
    });

    it("a batch applied twice (a retried flush) is counted once", async () => {
      const store = backend.make();
      const tenant = freshTenant();
      const events = withTenant(mixedEvents(3, 50, END), tenant);
      const batch = buildBatch(`${tenant}-once`, events);
      await store.apply(tenant, batch);
      await store.apply(tenant, batch);
      expect((await totalsOver(store, tenant, "hour")).requests).toBe(rawTotals(events).requests);
    });

    it("tasks: calls, cost, last call, budget stops and client marks, whatever the batch order", async () => {
      const store = backend.make();
      const a = freshTenant();
      const b = freshTenant();
      const events = mixedEvents(42, 400, END);
      await applyInParts(store, a, withTenant(events, a), 1, 1);
      await applyInParts(store, b, withTenant(events, b), 7, 99);
      await store.markTask(b, "task-0", "failure", END - HOUR);
      await store.markTask(a, "task-0", "failure", END - HOUR);
      await store.markTask(b, "never-seen", "success", END - 10);
      await store.markTask(a, "never-seen", "success", END - 10);
      const range = { from: END - 4 * HOUR, to: END + 1, limit: 10_000 };
      const [ta, tb] = [await store.tasks(a, range), await store.tasks(b, range)];
      const byId = (xs: typeof ta) => Object.fromEntries(xs.map((t) => [t.taskId, taskRow(t)]));
      expect(byId(tb)).toEqual(byId(ta));
      const ids = new Set(events.flatMap((e) => (e.taskId ? [e.taskId] : [])));
      expect(ta.length).toBe(ids.size + 1);
      for (const id of ids) {
        const mine = events.filter((e) => e.taskId === id);
        const calls = mine.filter((e) => !e.tool);
        const last = [...calls].sort((x, y) => x.at - y.at || (x.requestId < y.requestId ? -1 : 1)).at(-1);
        const row = byId(ta)[id];
        expect(row?.calls).toBe(calls.length);
        expect(row?.cost).toBe(mine.reduce((n, e) => n + e.cost, 0));
        expect(row?.first_at).toBe(Math.min(...mine.map((e) => e.at)));
        expect(row?.last_status).toBe(last?.status ?? 0);
        const stopped = mine.some((e) => e.flags.some((f) => /refused:(task_budget|task_loop|insufficient)/.test(f)));
        expect(row?.budget_stopped).toBe(stopped);
        if (id !== "task-0") {
          const ok = last !== undefined && last.status < 400 && !stopped;
          expect(row?.outcome).toBe(ok ? "success" : "failure");
        }
      }
      expect(byId(ta)["task-0"]).toMatchObject({ outcome: "failure", marked: true });
      expect(byId(ta)["never-seen"]).toMatchObject({ outcome: "success", calls: 0, marked: true });
      const summary = summarizeTasks(ta);
      expect(summary.tasks).toBe(ids.size + 1);
      expect(summary.cost).toBe(events.filter((e) => e.taskId).reduce((n, e) => n + e.cost, 0));
      expect(summary.cost_distribution.reduce((n, d) => n + d.tasks, 0)).toBe(summary.tasks);
    });

    it("task queries honour the time range and the limit; tenants never see each other's rollups", async () => {
      const store = backend.make();
      const tenant = freshTenant();
      const other = freshTenant();
      const events = withTenant(mixedEvents(5, 200, END), tenant);
      await store.apply(tenant, buildBatch(`${tenant}-x`, events));
      const recent = await store.tasks(tenant, { from: END - HOUR, to: END, limit: 10_000 });
      for (const t of recent) expect(t.firstAt).toBeGreaterThanOrEqual(END - HOUR);
      const limited = await store.tasks(tenant, { from: END - 4 * HOUR, to: END, limit: 3 });
      expect(limited).toHaveLength(3);
      expect(await store.tasks(other, { from: 0, to: END + 1, limit: 100 })).toEqual([]);
      expect(await store.cells(other, { interval: "hour", from: END - 4 * HOUR, to: END })).toEqual([]);
    });
  });
}
