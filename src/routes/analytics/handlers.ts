import type { Context } from "hono";
import { z } from "zod";
import { buildReport, type Report } from "../../analytics/report";
import type { AnalyticsServices } from "../../analytics/select";
import type { AppEnv } from "../../context";
import { GatewayError } from "../../errors";
import { HEADER_TOKEN } from "../../middleware/header-token";
import { tenantOr404 } from "../admin/keys";
import { parseJsonBody } from "../admin/parse";
import { reportCsv } from "./csv";
import { reportParams } from "./params";

function analyticsOr404(c: Context<AppEnv>): AnalyticsServices {
  const analytics = c.var.services.analytics;
  if (analytics === undefined) {
    throw new GatewayError("not_found", "Analytics are off on this gateway (ANALYTICS_BACKEND=off).");
  }
  return analytics;
}

/** Any analytics store failure is a 503 the caller may retry; the detail stays in the log. */
async function fromAnalytics<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    console.error(`analytics ${what} failed`, err);
    throw new GatewayError("store_unavailable", "The analytics store is unreachable; try again shortly.", {
      headers: { "retry-after": "1" },
      cause: err,
    });
  }
}

function respond(c: Context<AppEnv>, tenant: string, report: Report, format: "json" | "csv") {
  if (format === "csv") {
    return c.body(reportCsv(report), 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="analytics-${tenant}.csv"`,
    });
  }
  return c.json({ object: "analytics", tenant, ...report });
}

/** GET /admin/analytics?tenant=…: one tenant's rollups (filters, group_by, interval, range; JSON or CSV). */
export async function adminAnalyticsHandler(c: Context<AppEnv>) {
  const services = c.var.services;
  const { params, format, tenant } = reportParams(c.req.query(), services.now(), true);
  if (tenant === undefined) throw new GatewayError("invalid_request", "tenant is required.", { param: "tenant" });
  tenantOr404(services, tenant);
  const analytics = analyticsOr404(c);
  const report = await fromAnalytics("report", () => buildReport(analytics.store, tenant, params));
  return respond(c, tenant, report, format);
}

/**
 * GET /v1/analytics: the caller's own rollups. Like /v1/usage it is scoped to the caller's account (its key, or its
 * JWT subject): the tenant and the key come from the credential, so no parameter can widen it.
 */
export async function ownAnalyticsHandler(c: Context<AppEnv>) {
  const services = c.var.services;
  const { tenant, accountId } = c.var.principal;
  const query = c.req.query();
  if ("key" in query) throw new GatewayError("invalid_request", "Unknown field 'key'.", { param: "key" });
  const { params, format } = reportParams(query, services.now(), false);
  params.filters.key = [accountId];
  const analytics = analyticsOr404(c);
  const report = await fromAnalytics("report", () => buildReport(analytics.store, tenant.id, params));
  return respond(c, tenant.id, report, format);
}

const OutcomeBody = z.strictObject({ outcome: z.enum(["success", "failure"]) });

/** The path the task-outcome route serves. */
export const TASK_OUTCOME_PATH = /^\/v1\/tasks\/[^/]+\/outcome$/;

/**
 * POST /v1/tasks/{task id}/outcome `{"outcome": "success" | "failure"}`: the client says how a task ended, which
 * overrides the derived outcome (last call succeeded and no budget stopped it) in cost per successful task.
 */
export async function taskOutcomeHandler(c: Context<AppEnv>) {
  const taskId = c.req.param("id") ?? "";
  if (!HEADER_TOKEN.test(taskId)) {
    throw new GatewayError("invalid_request", `The task id must match ${HEADER_TOKEN.source}.`, { param: "id" });
  }
  const body = parseJsonBody(OutcomeBody, c.var.rawBody, c.req.header("content-type"));
  const analytics = analyticsOr404(c);
  const tenant = c.var.principal.tenant.id;
  await fromAnalytics("markTask", () => analytics.store.markTask(tenant, taskId, body.outcome, c.var.services.now()));
  return c.json({ object: "task.outcome", task_id: taskId, outcome: body.outcome });
}

/** POST /admin/analytics/flush: writes this isolate's buffered events now (local runs, tests, the traffic script). */
export async function adminFlushHandler(c: Context<AppEnv>) {
  const analytics = analyticsOr404(c);
  await analytics.collector.flushNow();
  return c.json({ object: "analytics.flush", dropped: analytics.collector.dropped });
}
