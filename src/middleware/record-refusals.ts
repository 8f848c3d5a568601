import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";
import { ERROR_CODES, GatewayError } from "../errors";
import { settleDurably } from "../ledger/settle-durably";
import type { UsageEvent } from "../ledger/types";
import { HEADER_TOKEN } from "./header-token";

function headerToken(value: string | undefined): string | undefined {
  return value !== undefined && HEADER_TOKEN.test(value) ? value : undefined;
}

function requestedModel(rawBody: string): string | undefined {
  try {
    const model = (JSON.parse(rawBody) as { model?: unknown }).model;
    return typeof model === "string" && model.length <= 256 ? model : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Every authenticated request to a routed endpoint leaves a usage event, refusals included (400, 402, 403, 404,
 * 409, 422, 429, 503): admitted requests write theirs with their settlement; this writes one, durably, for a
 * request that ended in an error before any hold existed. Requests refused before authentication (401, 413) have
 * no tenant to charge them to and are only logged.
 */
export function recordRefusals() {
  return createMiddleware<AppEnv>(async function recordRefusalsMiddleware(c, next) {
    const started = c.get("services").now();
    await next();
    const err = c.error;
    if (err === undefined || c.get("usageRecorded") === true) return;
    const principal = c.get("principal");
    const services = c.get("services");
    const code = err instanceof GatewayError ? err.code : "internal_error";
    const event: UsageEvent = {
      requestId: c.get("requestId"),
      at: started,
      tenantId: principal.tenant.id,
      keyId: principal.accountId,
      inputTokens: 0,
      outputTokens: 0,
      cost: 0,
      cache: "none",
      latencyMs: Math.max(0, services.now() - started),
      status: c.res.status || ERROR_CODES[code].status,
      policyVersion: services.policy.version,
      flags: [`refused:${code}`, ...(err instanceof GatewayError ? err.usageFlags : [])],
    };
    const taskId = headerToken(c.req.header("x-gateway-task-id"));
    if (taskId !== undefined) event.taskId = taskId;
    const feature = headerToken(c.req.header("x-gateway-feature")) ?? principal.tags?.[0];
    if (feature !== undefined) event.feature = feature;
    const model = requestedModel(c.get("rawBody"));
    if (model !== undefined) event.model = model;
    const waitUntil = (p: Promise<unknown>) => c.executionCtx.waitUntil(p);
    waitUntil(
      settleDurably(
        { ledger: services.ledger, outbox: services.outbox, waitUntil, usageSink: services.analytics?.collector },
        { kind: "record", event },
      ).catch((e: unknown) =>
        console.error(`[${c.get("requestId")}] could not record the usage event of a refusal`, e),
      ),
    );
  });
}
