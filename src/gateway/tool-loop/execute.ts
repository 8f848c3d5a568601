import type { Principal } from "../../auth/principal";
import type { Span } from "../../observability/span";
import type { Telemetry } from "../../observability/telemetry";
import { executeTool, type ToolDeps } from "../../tools";
import { tracedToolCall } from "../tool-span";
import type { ExecuteToolCall } from "./loop";

export interface LoopToolContext {
  deps: ToolDeps;
  principal: Principal;
  requestId: string;
  taskId?: string;
  feature?: string;
  /** The client went away. */
  signal?: AbortSignal;
  /** Each tool call is a span under the request's root, and carries its `traceparent` to the tool target. */
  telemetry: Telemetry;
  span: Span;
}

/**
 * Tool execution for the loop: the shared executor (allowlist, schema, SSRF-safe fetch, budget, price, audit), with
 * the caller's tools narrowed to the ones this request offered, so a model can never reach a tool the client did not
 * put in front of it — whatever a tool result told it to do.
 */
export function loopExecutor(ctx: LoopToolContext): ExecuteToolCall {
  let seq = 0;
  return async (call, offered, deadline) => {
    seq += 1;
    const principal: Principal = { ...ctx.principal, tenant: { ...ctx.principal.tenant, tools: [...offered] } };
    const remaining = Math.max(1, deadline - ctx.deps.now());
    const timeout = AbortSignal.timeout(remaining);
    const signal = ctx.signal === undefined ? timeout : AbortSignal.any([ctx.signal, timeout]);
    const requestId = `${ctx.requestId}.tool${seq}`;
    const outcome = await tracedToolCall(ctx.telemetry, ctx.span, call, ctx.deps, (deps) =>
      executeTool(deps, {
        principal,
        name: call.name,
        arguments: call.arguments,
        requestId,
        origin: "loop",
        signal,
        ...(ctx.taskId === undefined ? {} : { taskId: ctx.taskId }),
        ...(ctx.feature === undefined ? {} : { feature: ctx.feature }),
      }),
    );
    if (outcome.decision === "executed") return { content: outcome.content, executed: true, cost: outcome.cost };
    return { content: outcome.content, executed: false, taskSpent: outcome.error.taskSpent === true };
  };
}
