import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../../scripts/eval/random";
import { bucketUpper, latencyBucket } from "../../../src/analytics/latency";
import type { Metrics } from "../../../src/analytics/metrics";
import type { UsageEvent } from "../../../src/ledger/types";
import { exactQuantile, rawTotals } from "../../helpers/analytics-events";
import {
  type Account,
  type Backend,
  chatBody,
  durableObjectBackend,
  newAccount,
  request,
  settled,
} from "../../helpers/billing";
import { ADMIN_SECRET_FOR_TESTS } from "../../helpers/keys";
import worker from "../../worker";

interface ReportJson {
  totals: Metrics;
  groups: (Metrics & { group: Record<string, string> })[];
  series: (Metrics & { start: number; group: Record<string, string> })[];
  tasks: { tasks: number; successful: number; stopped_by_budget: number; calls: number; cost: number };
}

/**
 * Real requests through the Worker (Durable Object ledger) with analytics on the given backend: a seeded mix of
 * successes, upstream errors, refusals for credits and tasks, then the rollups must equal the ledger's own usage
 * events exactly.
 */
export function gatewayAnalyticsSuite(backend: "durable-object" | "upstash") {
  const workerEnv = { ...env, ANALYTICS_BACKEND: backend, ANALYTICS_FLUSH_MS: "0" };
  const b: Backend = {
    ...durableObjectBackend(),
    fetch: async (req: Request) => await worker.fetch(req, workerEnv, createExecutionContext()),
  };
  const adminGet = (path: string) =>
    b.fetch(
      new Request(`http://gateway.test${path}`, { headers: { authorization: `Bearer ${ADMIN_SECRET_FOR_TESTS}` } }),
    );
  const own = (a: Account, path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    headers.set("authorization", `Bearer ${a.key}`);
    return b.fetch(new Request(`http://gateway.test${path}`, { ...init, headers }));
  };

  describe(`analytics through the gateway: ${backend}`, () => {
    it("a seeded mixed run: rollups equal the ledger's usage events exactly; /v1/analytics sees only its own key", async () => {
      const rich = await newAccount(b, 50_000_000);
      const other = await newAccount(b, 50_000_000);
      const poor = await newAccount(b, 30);
      const random = seededRandom(backend === "upstash" ? 17 : 16);
      const run = crypto.randomUUID().slice(0, 8);
      const sends: Promise<Response>[] = [];
      for (let i = 0; i < 48; i++) {
        const roll = random();
        const account = roll < 0.1 ? poor : roll < 0.3 ? other : rich;
        const model = random() < 0.15 ? "b-err500" : "b-chat";
        const headers: Record<string, string> = { "x-gateway-feature": random() < 0.5 ? "search" : "chat" };
        if (random() < 0.6) headers["x-gateway-task-id"] = `task-${run}-${Math.floor(random() * 6)}`;
        const body = chatBody(model, `analytics ${run} ${i}`, { max_tokens: 20, stream: random() < 0.3 });
        sends.push(
          b.fetch(request(account, "/v1/chat/completions", body, headers)).then(async (r) => {
            await r.text();
            return r;
          }),
        );
      }
      const statuses = (await Promise.all(sends)).map((r) => r.status);
      expect(statuses).toContain(200);
      expect(statuses).toContain(402);
      expect(statuses.some((s) => s >= 500)).toBe(true);
      const accounts = [rich, other, poor];
      for (const a of accounts) await settled(b, a);
      const raw: UsageEvent[] = [];
      for (const a of accounts) {
        // Refusals are recorded on their own (after the response); wait until every request has its event.
        raw.push(...(await waitForEvents(b.ledger, a, statuses.length)));
      }
      expect(raw.length).toBe(statuses.length);
      const flushed = await b.fetch(
        new Request("http://gateway.test/admin/analytics/flush", {
          method: "POST",
          headers: { authorization: `Bearer ${ADMIN_SECRET_FOR_TESTS}` },
        }),
      );
      expect(flushed.status).toBe(200);
      const keys = accounts.map((a) => a.keyId).join(",");
      const res = await adminGet(`/admin/analytics?tenant=t-billing&interval=minute&key=${keys}&group_by=key,feature`);
      expect(res.status).toBe(200);
      const report = (await res.json()) as ReportJson;
      const { latencies, ...expected } = rawTotals(raw);
      for (const [name, value] of Object.entries(expected)) {
        expect([name, report.totals[name as keyof Metrics]]).toEqual([name, value]);
      }
      expect(report.totals.p95_ms).toBe(bucketUpper(latencyBucket(exactQuantile(latencies, 0.95))));
      for (const g of report.groups) {
        const mine = raw.filter((e) => e.keyId === g.group.key && (e.feature ?? "") === g.group.feature);
        expect(g.cost).toBe(mine.reduce((n, e) => n + e.cost, 0));
      }
      const taskIds = new Set(raw.flatMap((e) => (e.taskId ? [e.taskId] : [])));
      const hour = await adminGet(`/admin/analytics?tenant=t-billing&key=${keys}&feature=search,chat`);
      const tasks = ((await hour.json()) as ReportJson).tasks;
      expect(tasks.tasks).toBe(taskIds.size);
      expect(tasks.cost).toBe(raw.filter((e) => e.taskId).reduce((n, e) => n + e.cost, 0));

      const mine = await own(other, "/v1/analytics?interval=minute&group_by=key");
      expect(mine.status).toBe(200);
      const ownReport = (await mine.json()) as ReportJson;
      expect(ownReport.groups.map((g) => g.group.key)).toEqual([other.keyId]);
      expect(ownReport.totals.requests).toBe(raw.filter((e) => e.keyId === other.keyId).length);
    });

    it("a client marks a task's outcome; CSV has one line per bucket and group", async () => {
      const a = await newAccount(b, 50_000_000);
      const task = `mark-${crypto.randomUUID().slice(0, 8)}`;
      const r = await b.fetch(
        request(a, "/v1/chat/completions", chatBody("b-chat", "mark me", { max_tokens: 10 }), {
          "x-gateway-task-id": task,
        }),
      );
      expect(r.status).toBe(200);
      const marked = await own(a, `/v1/tasks/${task}/outcome`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ outcome: "failure" }),
      });
      expect(marked.status).toBe(200);
      await settled(b, a);
      await waitForEvents(b.ledger, a, 1);
      await b.fetch(
        new Request("http://gateway.test/admin/analytics/flush", {
          method: "POST",
          headers: { authorization: `Bearer ${ADMIN_SECRET_FOR_TESTS}` },
        }),
      );
      const report = (await (await own(a, "/v1/analytics")).json()) as ReportJson;
      expect(report.tasks).toMatchObject({ tasks: 1, successful: 0, calls: 1 });
      const csv = await (await own(a, "/v1/analytics?interval=minute&group_by=model&format=csv")).text();
      const lines = csv.trim().split("\r\n");
      expect(lines[0]).toMatch(/^bucket_start,model,requests,successes,/);
      expect(lines).toHaveLength(2);
      expect(lines[1]).toContain(",b-chat,1,1,");
    });
  });
}

async function waitForEvents(
  ledger: ReturnType<typeof durableObjectBackend>["ledger"],
  a: Account,
  atLeast: number,
): Promise<UsageEvent[]> {
  const deadline = Date.now() + 15_000;
  let last: UsageEvent[] = [];
  while (Date.now() < deadline) {
    last = await ledger.usage(a.tenantId, { keyId: a.keyId, limit: 1000 });
    if (last.length >= atLeast) return last;
    // Refusals of this account may be fewer than atLeast: settle on a stable count.
    const again = await new Promise<UsageEvent[]>((r) =>
      setTimeout(async () => r(await ledger.usage(a.tenantId, { keyId: a.keyId, limit: 1000 })), 300),
    );
    if (again.length === last.length && again.length > 0) return again;
  }
  return last;
}
