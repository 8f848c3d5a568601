import type { Context } from "hono";
import type { AppEnv } from "../context";
import { GatewayError } from "../errors";
import { jsonBody } from "../middleware/body";
import { HEADER_TOKEN } from "../middleware/header-token";
import { executeTool, outcomeError, type ToolCall, toolDeps } from "../tools";

/** The path the invoke route serves; `name` is matched exactly against the caller's tools (never normalised). */
export const TOOLS_INVOKE_PATH = /^\/v1\/tools\/[^/]+\/invoke$/;

function optionalHeader(c: Context<AppEnv>, name: string): string | undefined {
  const value = c.req.header(name);
  if (value === undefined || value === "") return undefined;
  if (!HEADER_TOKEN.test(value)) {
    throw new GatewayError("invalid_request", `Header ${name} must match ${HEADER_TOKEN.source}.`, { param: name });
  }
  return value;
}

/** `{"arguments": {...}}` or `{"arguments": "<json text>"}`; nothing else, so a misspelt field is never ignored. */
function parseBody(raw: string, contentType: string | undefined): unknown {
  const body = jsonBody(raw, contentType);
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new GatewayError("invalid_request", 'Request body must be a JSON object: {"arguments": {...}}.');
  }
  for (const key of Object.keys(body)) {
    if (key !== "arguments") {
      throw new GatewayError("invalid_request", `Unknown field ${JSON.stringify(key)}; only "arguments" is accepted.`, {
        param: key,
      });
    }
  }
  if (!Object.hasOwn(body, "arguments")) {
    throw new GatewayError("invalid_request", 'Field "arguments" is required.', { param: "arguments" });
  }
  return (body as { arguments: unknown }).arguments;
}

/**
 * POST /v1/tools/{name}/invoke: runs one allowlisted tool for clients that drive their own agents, with the
 * gateway's credentials, allowlists, budgets and audit. The answer is the tool's result as the model would get it
 * (`result`, labelled untrusted by the caller's own agent), or the one error envelope.
 */
export async function toolsInvokeHandler(c: Context<AppEnv>) {
  const services = c.var.services;
  const name = c.req.param("name") ?? "";
  const args = parseBody(c.var.rawBody, c.req.header("content-type"));
  const call: ToolCall = {
    principal: c.var.principal,
    name,
    arguments: args,
    requestId: c.var.requestId,
    origin: "invoke",
    signal: c.req.raw.signal,
  };
  const taskId = optionalHeader(c, "x-gateway-task-id");
  if (taskId !== undefined) call.taskId = taskId;
  const feature = optionalHeader(c, "x-gateway-feature");
  if (feature !== undefined) call.feature = feature;

  const outcome = await executeTool(
    toolDeps(services, (p) => c.executionCtx.waitUntil(p)),
    call,
  );
  // The executor wrote the call's audit event (refusals included): the refusal recorder must not add a second.
  c.set("usageRecorded", true);
  if (outcome.decision !== "executed") throw outcomeError(outcome);
  return c.json(
    {
      object: "tool.result",
      tool: outcome.tool,
      status: outcome.status,
      result: outcome.result,
      truncated: outcome.truncated,
      cost: outcome.cost,
      bytes: outcome.bytes,
      latency_ms: outcome.latencyMs,
    },
    200,
    { "x-gateway-tool": outcome.tool, "x-gateway-cost": String(outcome.cost) },
  );
}
