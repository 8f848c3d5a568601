import type { ChatRequest } from "../canonical/chat";
import { GatewayError } from "../errors";
import { getAdapter } from "../providers";
import { executePlan } from "../routing/execute";
import { planRoute, type RoutePlan } from "../routing/plan";
import { estimatePromptTokens } from "../routing/token-estimate";
import { billedCall, type CallRun, type Charge } from "./billed-call";
import { billFor, responseChars, settleOp } from "./billing/meter";
import { pricePlan } from "./billing/pricing";
import { openChatCache } from "./cache";
import { billHit } from "./cache-hit";
import { routeMeta } from "./route-meta";
import type { ChatCache, ChatContext, ChatOutcome } from "./types";
import { chatJsonAttempt, chatStreamAttempt, executorDeps } from "./upstream-call";

export type { ChatContext, ChatOutcome };

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
  const { plan, pricing } = pricePlan(planChat(ctx, req));
  const { cache, hit } = await openChatCache(ctx, req, plan);
  if (hit !== undefined) {
    const outcome = await billHit(ctx, req, plan, hit);
    // Counted once admitted: a hit refused by admission (credits, limits) was not served.
    if (outcome.kind !== "replay") hit.served();
    return outcome;
  }
  const promptEstimate = estimatePromptTokens(req);
  const charge: Charge = {
    pricing,
    promptEstimate,
    maxOutputTokens: requestedMaxTokens(req) ?? plan.model.max_output_tokens,
    cache: cache.usageStatus,
    overlap: true,
  };
  const billed = await billedCall(ctx, charge, (run) => {
    // The grant may be below what was asked (the balance affords less): the upstream is told the grant.
    const sent = run.grantedOutputTokens === undefined ? req : withMaxTokens(req, run.grantedOutputTokens);
    return routed({ ctx, plan, cache }, sent, run);
  });
  return billed.kind === "replay" ? billed : billed.value;
}

interface RoutedCall {
  ctx: ChatContext;
  plan: RoutePlan;
  cache: ChatCache;
}

/**
 * Runs the route plan for `sent` and answers once both the upstream and the admission have: the admission may still
 * be on its way when the upstream call starts (overlapped), and if it is refused the upstream call is cancelled
 * through the run's signal and the refusal is thrown; nothing of the answer reaches the client before the hold exists.
 */
async function routed(call: RoutedCall, sent: ChatRequest, run: CallRun): Promise<ChatOutcome> {
  const { ctx, plan, cache } = call;
  const { services } = ctx;
  const deps = executorDeps(services, run.signal);

  if (sent.stream === true) {
    const running = executePlan(plan, {
      ...deps,
      attempt: chatStreamAttempt(services, sent),
      // A stream that started after its attempt was abandoned must not leak its upstream connection.
      discard: (late) => void late.cancel(),
    });
    // A refusal stops an attempt still in flight through its signal; a stream that already started is cancelled.
    const hold = await run.hold.catch((err: unknown) => {
      void running.then((result) => (result.ok ? result.value.cancel() : undefined));
      throw err;
    });
    const result = await running;
    if (!result.ok) {
      void hold.release(result.error.status, [result.aborted ? "client_disconnected" : "upstream_failed"]);
      throw result.error;
    }
    const meta = routeMeta(plan, result.attempt, result.attempts, services.policy.version);
    hold.served(meta);
    return {
      kind: "stream",
      start: result.value,
      meta,
      idleTimeoutMs: plan.route.timeouts.attempt_ms,
      admission: hold.admission,
      settlement: hold.settlement,
      model: result.attempt.model,
      cache,
    };
  }

  const running = executePlan(plan, { ...deps, attempt: chatJsonAttempt(services, sent) });
  // A refusal rejects here; its abort signal has already stopped the call in flight.
  const hold = await run.hold;
  const result = await running;
  if (!result.ok) {
    void hold.release(result.error.status, [result.aborted ? "client_disconnected" : "upstream_failed"]);
    throw result.error;
  }
  const meta = routeMeta(plan, result.attempt, result.attempts, services.policy.version);
  hold.served(meta);
  const response = result.value;
  const { admission, settlement } = hold;
  const bill = billFor(settlement, result.attempt.model, response.usage, responseChars(response), []);
  cache.storeJson(response, meta, admission, bill.cost);
  return { kind: "json", response, meta, admission, bill, settlement, cache };
}

/** Settles a JSON answer once its response body is final (so an Idempotency-Key replay can store it). */
export function settleJson(
  outcome: Extract<ChatOutcome, { kind: "json" }>,
  body: string,
  headers: Record<string, string>,
): void {
  void outcome.settlement.submit(settleOp(outcome.settlement, outcome.bill, 200, { headers, body }));
}

function withMaxTokens(req: ChatRequest, tokens: number): ChatRequest {
  return req.max_completion_tokens == null ? { ...req, max_tokens: tokens } : { ...req, max_completion_tokens: tokens };
}
