import type { Principal } from "../auth/principal";
import type { ChatRequest, ChatResponse } from "../canonical/chat";
import type { Services } from "../context";
import { GatewayError } from "../errors";
import { getAdapter } from "../providers";
import { executePlan } from "../routing/execute";
import { planRoute, type RoutePlan } from "../routing/plan";
import { sleep } from "../routing/sleep";
import { estimatePromptTokens } from "../routing/token-estimate";
import { type RouteMeta, routeMeta } from "./route-meta";
import { chatJsonAttempt, chatStreamAttempt, type StreamStart } from "./upstream-call";

export type ChatOutcome =
  | { kind: "json"; response: ChatResponse; meta: RouteMeta }
  | { kind: "stream"; start: StreamStart; meta: RouteMeta; idleTimeoutMs: number };

export interface ChatContext {
  services: Services;
  principal: Principal;
  /** `x-gateway-task-type` header, used by routing rules. */
  taskType?: string;
  /** Fires when the client goes away. */
  signal?: AbortSignal;
}

function requestedMaxTokens(req: ChatRequest): number | undefined {
  return req.max_completion_tokens ?? req.max_tokens ?? undefined;
}

export function planChat(ctx: ChatContext, req: ChatRequest): RoutePlan {
  const { policy, breakers, random } = ctx.services;
  const result = planRoute({
    policy,
    tenant: ctx.principal.tenant,
    model: req.model,
    kind: "chat",
    attributes: {
      promptTokens: estimatePromptTokens(req),
      hasTools: (req.tools?.length ?? 0) > 0,
      ...(ctx.taskType === undefined ? {} : { taskType: ctx.taskType }),
    },
    unsupportedParams: (providerId) => {
      const provider = policy.providers[providerId];
      return provider === undefined ? ["model"] : getAdapter(provider.type).unsupportedParams(req);
    },
    isAvailable: (key) => breakers.isAvailable(key),
    random,
  });
  if (!result.ok) throw result.error;
  const max = requestedMaxTokens(req);
  if (max !== undefined && max > result.plan.model.max_output_tokens) {
    const param = req.max_completion_tokens == null ? "max_tokens" : "max_completion_tokens";
    throw new GatewayError(
      "invalid_request",
      `${param} is ${max}, above the ${result.plan.model.max_output_tokens} output tokens model "${result.plan.alias}" allows.`,
      { param },
    );
  }
  return result.plan;
}

export async function runChat(ctx: ChatContext, req: ChatRequest): Promise<ChatOutcome> {
  const plan = planChat(ctx, req);
  const { services } = ctx;
  const deps = {
    breakers: services.breakers,
    now: services.now,
    random: services.random,
    sleep,
    ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
  };
  if (req.stream === true) {
    const result = await executePlan(plan, {
      ...deps,
      attempt: chatStreamAttempt(services, req),
      // A stream that started after its attempt was abandoned must not leak its upstream connection.
      discard: (late) => void late.cancel(),
    });
    if (!result.ok) throw result.error;
    const meta = routeMeta(plan, result.attempt, result.attempts, services.policy.version);
    return { kind: "stream", start: result.value, meta, idleTimeoutMs: plan.route.timeouts.attempt_ms };
  }
  const result = await executePlan(plan, { ...deps, attempt: chatJsonAttempt(services, req) });
  if (!result.ok) throw result.error;
  return {
    kind: "json",
    response: result.value,
    meta: routeMeta(plan, result.attempt, result.attempts, services.policy.version),
  };
}
