import type { Context } from "hono";
import { sha256Hex } from "../auth/hash";
import type { AppEnv } from "../context";
import { GatewayError } from "../errors";
import { HEADER_TOKEN } from "../middleware/header-token";
import { submitter } from "./billing/submit";
import type { BillingInput } from "./billing/types";
import type { ChatContext } from "./types";

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

function optionalHeader(c: Context<AppEnv>, name: string, pattern: RegExp): string | undefined {
  const value = c.req.header(name);
  if (value === undefined || value === "") return undefined;
  if (!pattern.test(value)) {
    throw new GatewayError("invalid_request", `Header ${name} must match ${pattern.source}.`, { param: name });
  }
  return value;
}

/** Everything a routed call needs from the HTTP request, parsed once: principal, billing headers, settlement. */
export async function chatContext(c: Context<AppEnv>): Promise<ChatContext> {
  const services = c.get("services");
  const billing: BillingInput = { requestId: c.get("requestId") };
  const idempotencyKey = optionalHeader(c, "idempotency-key", IDEMPOTENCY_KEY);
  if (idempotencyKey !== undefined) billing.idempotencyKey = idempotencyKey;
  const taskId = optionalHeader(c, "x-gateway-task-id", HEADER_TOKEN);
  if (taskId !== undefined) billing.taskId = taskId;
  if (idempotencyKey !== undefined || taskId !== undefined) billing.bodyHash = await sha256Hex(c.get("rawBody"));
  const feature = optionalHeader(c, "x-gateway-feature", HEADER_TOKEN);
  if (feature !== undefined) billing.feature = feature;
  const taskType = optionalHeader(c, "x-gateway-task-type", HEADER_TOKEN);
  const submit = submitter(services, (p) => c.executionCtx.waitUntil(p), c.get("requestId"));
  const ctx: ChatContext = {
    services,
    principal: c.get("principal"),
    signal: c.req.raw.signal,
    billing,
    submit: (op) => {
      c.set("usageRecorded", true);
      return submit(op);
    },
    startedAt: services.now(),
    requestHeaders: c.req.raw.headers,
    waitUntil: (p) => c.executionCtx.waitUntil(p),
    span: c.get("span"),
  };
  if (taskType !== undefined) ctx.taskType = taskType;
  return ctx;
}
