import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import { promisify } from "node:util";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, DEV_KEY, type LocalGateway, sendTraffic, startLocalGateway } from "./local-gateway";

/**
 * The dashboard in a real browser (Debian's chromium, driven by playwright-core) against `npm start` filled by
 * `npm run traffic`: the numbers on the page and in its charts must be the ones the analytics API returns.
 * Screenshots go to test/.artifacts/ (gitignored).
 */

const ARTIFACTS = "test/.artifacts";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

interface Metrics {
  cost: number;
  requests: number;
  fallback_rate: number | null;
  cache_hit_rate: number | null;
  retry_rate: number | null;
  p95_ms: number | null;
  premium_share: number | null;
}
interface Report {
  from: number;
  to: number;
  totals: Metrics;
  series: (Metrics & { start: number; group: Record<string, string> })[];
  groups: (Metrics & { group: Record<string, string>; errors: number })[];
  tasks: {
    calls_per_task: number | null;
    cost_per_successful_task: number | null;
    cost_distribution: { le: number | null; tasks: number }[];
    top: { task_id: string }[];
  };
}

let gateway: LocalGateway;
let browser: Browser;

async function api(path: string, credential: string): Promise<Report> {
  const res = await fetch(`${gateway.url}${path}`, { headers: { authorization: `Bearer ${credential}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as Report;
}

async function signIn(page: Page, mode: "admin" | "tenant", credential: string, range = "hour") {
  await page.goto(`${gateway.url}/dashboard/`);
  await page.selectOption("#mode", mode);
  await page.selectOption("#range", range);
  await page.fill("#credential", credential);
  await page.click("button[type=submit]");
  await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
}

/** What the page shows, read from the DOM and from the Chart.js instances (runs in the page: plain JS). */
const READ_PAGE = `(() => {
  const chart = (id) => Chart.getChart(id).data;
  const text = (id) => document.getElementById(id)?.textContent ?? "";
  const table = (id) => [...document.querySelectorAll("#" + id + " tbody tr")].map((tr) =>
    [...tr.querySelectorAll("td")].map((td) => td.textContent));
  const kpis = {};
  for (const k of ["cost", "requests", "calls-per-task", "cost-per-success", "fallback", "cache", "retry", "p95", "premium"]) {
    kpis[k] = text("kpi-" + k);
  }
  return {
    range: { from: dashboardData.all.from, to: dashboardData.all.to },
    kpis,
    cost: chart("chart-cost"),
    latency: chart("chart-latency"),
    taskCost: chart("chart-task-cost"),
    topKeys: table("top-keys"),
    refusals: table("refusals"),
  };
})()`;

interface ChartData {
  labels: string[];
  datasets: { label: string; data: (number | null)[] }[];
}
interface Rendered {
  range: { from: number; to: number };
  kpis: Record<string, string>;
  cost: ChartData;
  latency: ChartData;
  taskCost: ChartData;
  topKeys: string[][];
  refusals: string[][];
}

async function rendered(page: Page): Promise<Rendered> {
  return (await page.evaluate(READ_PAGE)) as Rendered;
}

const credits = (micros: number) => (micros / 1e6).toFixed(4);
const pct = (r: number | null) => (r === null ? "–" : `${(r * 100).toFixed(1)}%`);

describe("dashboard in chromium", () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    gateway = await startLocalGateway();
    await sendTraffic(gateway.url, 60);
    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ARGS });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
  });

  it("admin view: KPIs, cost over time, latency, tasks, top keys and refusals match the analytics API", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    await signIn(page, "admin", ADMIN, "minute");
    const shown = await rendered(page);
    const q = `tenant=acme&interval=minute&from=${shown.range.from}&to=${shown.range.to}`;
    const all = await api(`/admin/analytics?${q}`, ADMIN);
    const byFeature = await api(`/admin/analytics?${q}&group_by=feature`, ADMIN);
    const byKey = await api(`/admin/analytics?${q}&group_by=key`, ADMIN);
    expect(all.totals.requests).toBeGreaterThan(50);
    expect(shown.kpis).toMatchObject({
      cost: credits(all.totals.cost),
      requests: String(all.totals.requests),
      fallback: pct(all.totals.fallback_rate),
      cache: pct(all.totals.cache_hit_rate),
      retry: pct(all.totals.retry_rate),
      p95: `${all.totals.p95_ms} ms`,
      "cost-per-success": credits(all.tasks.cost_per_successful_task ?? 0),
    });
    // Cost over time: one stacked dataset per feature; each bucket's bars add up to the API's cost for that bucket.
    const features = [...new Set(byFeature.series.map((r) => r.group.feature || "(none)"))].sort();
    expect(shown.cost.datasets.map((d) => d.label).sort()).toEqual(features);
    for (const d of shown.cost.datasets) {
      const api = byFeature.series.filter((r) => (r.group.feature || "(none)") === d.label);
      expect(d.data.reduce<number>((n, v) => n + (v ?? 0), 0)).toBeCloseTo(
        api.reduce((n, r) => n + r.cost, 0) / 1e6,
        9,
      );
    }
    const p95s = shown.latency.datasets.find((d) => d.label === "p95")?.data.filter((v) => v !== null);
    expect(p95s).toEqual(all.series.map((r) => r.p95_ms));
    expect(shown.taskCost.datasets[0]?.data).toEqual(all.tasks.cost_distribution.map((d) => d.tasks));
    expect(shown.topKeys.map((r) => r[0])).toEqual(byKey.groups.slice(0, 10).map((g) => g.group.key));
    expect(shown.topKeys[0]?.[2]).toBe(credits(byKey.groups[0]?.cost ?? 0));
    // The traffic script's runaway agent is stopped by the task budget: it shows among the recent refusals.
    expect(shown.refusals.some((r) => r[3] === "task_loop_detected")).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-admin.png`, fullPage: true });
    await page.setViewportSize({ width: 1000, height: 760 });
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-readme.png` });
  }, 120_000);

  it("tenant view with the API key, on a phone-sized screen", async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
    await signIn(page, "tenant", DEV_KEY);
    const shown = await rendered(page);
    const own = await api(`/v1/analytics?interval=hour&from=${shown.range.from}&to=${shown.range.to}`, DEV_KEY);
    expect(shown.kpis.cost).toBe(credits(own.totals.cost));
    expect(shown.kpis.requests).toBe(String(own.totals.requests));
    const costs = shown.cost.datasets.flatMap((d) => d.data);
    expect(costs.reduce<number>((n, v) => n + (v ?? 0), 0)).toBeCloseTo(own.totals.cost / 1e6, 9);
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-phone.png` });
  }, 120_000);

  it("the admin CLI's report prints the same cost, rates and p95 as the API", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "scripts/gateway-cli.ts", "report", "--tenant", "acme", "--interval", "hour"],
      { env: { ...process.env, GATEWAY_URL: gateway.url, GATEWAY_ADMIN_SECRET: ADMIN } },
    );
    const range = /: (\S+) \.\. (\S+) \(hour buckets\)/.exec(stdout);
    expect(range, stdout).not.toBeNull();
    const from = Date.parse(range?.[1] ?? "");
    const to = Date.parse(range?.[2] ?? "");
    const all = await api(`/admin/analytics?tenant=acme&interval=hour&from=${from}&to=${to}`, ADMIN);
    const micros = (m: number) => `${Math.floor(m / 1e6)}.${String(m % 1e6).padStart(6, "0")}`;
    expect(stdout).toContain(`${all.totals.requests} requests`);
    expect(stdout).toContain(`${micros(all.totals.cost)} credits`);
    expect(stdout).toMatch(new RegExp(`p95 latency:\\s+${all.totals.p95_ms} ms`));
    expect(stdout).toMatch(new RegExp(`fallback rate:\\s+${pct(all.totals.fallback_rate).replace(".", "\\.")}`));
    expect(stdout).toContain("COST BY FEATURE AND MODEL");
    expect(stdout).toMatch(/search\s+small\s+\d+/);
  }, 60_000);
});
