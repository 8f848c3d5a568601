import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { aggregate } from "../../../src/analytics/aggregate";
import { AnalyticsCollector } from "../../../src/analytics/collector";
import { createDurableObjectAnalytics } from "../../../src/analytics/durable-object";
import type { TenantAnalytics } from "../../../src/analytics/durable-object/tenant-analytics";
import { mixedEvents, rawTotals } from "../../helpers/analytics-events";
import { faultSwitch, faultyNamespace } from "../ledger/do-fault-namespace";

const HOUR = 3_600_000;

describe("analytics collector (real Durable Object store behind a fault switch)", () => {
  it("never throws into the request; a batch the store refused is retried with its id and counted once", async () => {
    const sw = faultSwitch();
    const ns = faultyNamespace(env.TENANT_ANALYTICS, sw) as DurableObjectNamespace<TenantAnalytics>;
    const store = createDurableObjectAnalytics(ns);
    const collector = new AnalyticsCollector(store, { flushMs: 0, maxBatch: 1000 });
    const tenant = `col-${crypto.randomUUID().slice(0, 8)}`;
    const end = Math.floor(Date.now() / HOUR) * HOUR;
    const events = mixedEvents(9, 120, end).map((e) => ({ ...e, tenantId: tenant }));
    const pending: Promise<unknown>[] = [];
    const waitUntil = (p: Promise<unknown>) => void pending.push(p);
    sw.down = true;
    for (const e of events.slice(0, 60)) expect(() => collector.add(e, waitUntil)).not.toThrow();
    await Promise.all(pending);
    expect(sw.calls.filter((c) => c === "apply").length).toBeGreaterThan(0);
    sw.down = false;
    for (const e of events.slice(60)) collector.add(e, waitUntil);
    await Promise.all(pending);
    await collector.flushNow();
    await collector.flushNow();
    const cells = await store.cells(tenant, { interval: "day", from: end - 2 * 86_400_000, to: end + HOUR });
    const totals = aggregate(cells, {}, []).totals;
    const raw = rawTotals(events);
    expect([totals.requests, totals.cost, totals.errors]).toEqual([raw.requests, raw.cost, raw.errors]);
    expect(collector.dropped).toBe(0);
  });

  it("past its backlog while the store is down, it drops the oldest and counts them", async () => {
    const sw = faultSwitch();
    sw.down = true;
    const ns = faultyNamespace(env.TENANT_ANALYTICS, sw) as DurableObjectNamespace<TenantAnalytics>;
    const collector = new AnalyticsCollector(createDurableObjectAnalytics(ns), {
      flushMs: 60_000,
      maxBatch: 1000,
      maxBuffered: 50,
    });
    const events = mixedEvents(4, 80, Date.now()).map((e) => ({ ...e, tenantId: "col-drop" }));
    for (const e of events) collector.add(e, () => undefined);
    expect(collector.dropped).toBe(30);
  });
});
