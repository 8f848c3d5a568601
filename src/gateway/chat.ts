import type { ChatRequest } from "../canonical/chat";
import { GatewayError } from "../errors";
import { ATTR } from "../observability/attributes";
import type { ModelPricing } from "../policy/types";
import { getAdapter } from "../providers";
import { cacheAffinityKey, seededRandom } from "../routing/affinity";
import { fitContextWindow } from "../routing/context-window";
import { executePlan } from "../routing/execute";
import { type PlanInput, planRoute, planTier, type RoutePlan, tierOf } from "../routing/plan";
import { estimatePromptTokens, promptTextChars } from "../routing/token-estimate";
import { attemptTrace } from "./attempt-trace";
import { billedCall, type CallRun, type Charge } from "./billed-call";
import { billFor, deliveredOf, settleOp } from "./billing/meter";
import { pricePlan } from "./billing/pricing";
import { tokenFloor } from "./billing/usage";
import { openChatCache } from "./cache";
import { billHit } from "./cache-hit";
import { cascadeApplies, runCascade } from "./cascade";
import { routeByRouter, routeVerifier } from "./learned-router";
import { spillover } from "./origin-load";
import { routeMeta } from "./route-meta";
import { chatRoutingInputs } from "./routing-inputs";
import { capPremium, degradeForDeadline } from "./tiering";
import type { ChatCache, ChatContext, ChatOutcome } from "./types";
import { chatJsonAttempt, chatStreamAttempt, executorDeps } from "./upstream-call";

export type { ChatContext, ChatOutcome };

function requestedMaxTokens(req: ChatRequest): number | undefined {
  return req.max_completion_tokens ?? req.max_tokens ?? undefined;
}

/** The planner's view of a chat request (kept so a runtime tier change can re-plan the same request). */
export function chatPlanInput(ctx: ChatContext, req: ChatRequest): PlanInput {
  const { policy, breakers } = ctx.services;
  // A conversation that asks for a cached prefix stays on the target holding it (src/routing/affinity.ts).
  const affinity = cacheAffinityKey(req);
  const random = affinity === undefined ? ctx.services.random : seededRandom(affinity);
  return {
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
  };
}

/**
 * planChat with the learned router (it may embed the prompt: the embedding is the one the cache then uses).
 * `record: false` (count_tokens) plans exactly as a chat would without counting the request in the cap's window.
 */
export async function planChatRouted(ctx: ChatContext, req: ChatRequest, record = true): Promise<RoutePlan> {
  const input = chatPlanInput(ctx, req);
  const planned = planRoute(input);
  if (!planned.ok) throw planned.error;
  return settlePlan(ctx, req, input, await routeByRouter(ctx, req, input, planned.plan), record);
}

/** The premium cap (with the router's score for `keep_above`), the output-token limit and the context window. */
function settlePlan(ctx: ChatContext, req: ChatRequest, input: PlanInput, planned: RoutePlan, record = true) {
  const tenantId = ctx.principal.tenant.id;
  const timely = degradeForDeadline(ctx.services, input, planned, ctx.startedAt);
  const plan = capPremium(ctx.services, tenantId, input, timely, planned.decision?.score, record);
  const max = requestedMaxTokens(req);
  if (max !== undefined && max > plan.model.max_output_tokens) {
    const param = req.max_completion_tokens == null ? "max_tokens" : "max_completion_tokens";
    throw new GatewayError(
      "invalid_request",
      `${param} is ${max}, above the ${plan.model.max_output_tokens} output tokens model "${plan.alias}" allows.`,
      { param },
    );
  }
  // Before pricing and admission: a prompt no target can hold is refused without a hold.
  const fitted = fitContextWindow(plan, input.attributes.promptTokens);
  if (!fitted.ok) throw fitted.error;
  return fitted.plan;
}

export async function runChat(ctx: ChatContext, req: ChatRequest): Promise<ChatOutcome> {
  const { span } = ctx;
  if (span.recording) {
    span.set(ATTR.requestModel, req.model);
    span.set(ATTR.requestMaxTokens, requestedMaxTokens(req));
    span.set(ATTR.requestTemperature, req.temperature ?? undefined);
    if (req.n != null && req.n !== 1) span.set(ATTR.requestChoiceCount, req.n);
  }
  const priced = pricePlan(await planChatRouted(ctx, req));
  // Load-aware spillover: a busy origin cluster's targets move behind the hosted fallbacks (priced above).
  const plan = spillover(ctx.services, priced.plan, ctx.waitUntil).plan;
  const { cache, hit } = ctx.services.telemetry.enabled
    ? await cacheLookup(ctx, req, plan)
    : await openChatCache(ctx, req, plan);
  if (hit !== undefined) {
    const outcome = await billHit(ctx, req, plan, hit);
    // Counted once admitted: a hit refused by admission (credits, limits) was not served.
    if (outcome.kind !== "replay") hit.served();
    return outcome;
  }
  if (cascadeApplies(ctx, req, plan)) {
    const streamPremium = (c: ChatContext, premium: RoutePlan) =>
      callPlan(c, req, premium, pricePlan(premium).pricing, cache);
    return runCascade(ctx, req, chatPlanInput(ctx, req), plan, cache, streamPremium, routeVerifier(ctx, req, plan));
  }
  try {
    return await callPlan(ctx, req, plan, priced.pricing, cache);
  } catch (err) {
    // Degradation: a caller who cannot afford the premium tier is served by the cheap one rather than refused.
    const cheaper = degradedPlan(err, ctx, req, plan);
    if (cheaper === undefined) throw err;
    const repriced = pricePlan(cheaper);
    return callPlan(ctx, req, spillover(ctx.services, repriced.plan, ctx.waitUntil).plan, repriced.pricing, cache);
  }
}

function degradedPlan(err: unknown, ctx: ChatContext, req: ChatRequest, plan: RoutePlan): RoutePlan | undefined {
  if (!(err instanceof GatewayError) || err.code !== "insufficient_credits") return undefined;
  const { route } = plan;
  if (route.degrade?.balance !== true || route.tiers === undefined || plan.viaRoute !== true) return undefined;
  if (tierOf(route, plan.alias) !== "premium") return undefined;
  const cheap = planTier(chatPlanInput(ctx, req), plan, route.tiers.cheap, {
    decidedBy: "degrade:balance",
    tier: "cheap",
  });
  return cheap.ok ? cheap.plan : undefined;
}

async function callPlan(
  ctx: ChatContext,
  req: ChatRequest,
  plan: RoutePlan,
  pricing: ModelPricing,
  cache: ChatCache,
): Promise<ChatOutcome> {
  const promptEstimate = estimatePromptTokens(req);
  const charge: Charge = {
    pricing,
    promptEstimate,
    promptFloor: tokenFloor(promptTextChars(req)),
    maxOutputTokens: requestedMaxTokens(req) ?? plan.model.max_output_tokens,
    cache: cache.usageStatus,
    overlap: true,
    routingInputs: chatRoutingInputs(req, promptEstimate, ctx.taskType),
  };
  const billed = await billedCall(ctx, charge, (run) => {
    // The grant may be below what was asked (the balance affords less): the upstream is told the grant.
    const sent = run.grantedOutputTokens === undefined ? req : withMaxTokens(req, run.grantedOutputTokens);
    return routed({ ctx, plan, cache }, sent, run);
  });
  return billed.kind === "replay" ? billed : billed.value;
}

/** The response cache's lookup in its span (`gateway.cache`, with what the cache did). */
async function cacheLookup(ctx: ChatContext, req: ChatRequest, plan: RoutePlan) {
  const span = ctx.span.child("gateway.cache");
  try {
    const opened = await openChatCache(ctx, req, plan);
    span.set(ATTR.cache, opened.hit === undefined ? (opened.cache.status ?? "off") : "hit");
    return opened;
  } catch (err) {
    span.fail(err instanceof GatewayError ? err.code : "internal_error");
    throw err;
  } finally {
    span.end();
  }
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
      attempt: chatStreamAttempt(services, sent, attemptTrace(ctx, "chat")),
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

  const running = executePlan(plan, { ...deps, attempt: chatJsonAttempt(services, sent, attemptTrace(ctx, "chat")) });
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
  if (ctx.span.recording) {
    ctx.span.set(
      ATTR.finishReasons,
      response.choices.map((c) => c.finish_reason ?? "null"),
    );
    ctx.span.set(ATTR.responseId, response.id);
  }
  const { admission, settlement } = hold;
  const bill = billFor(settlement, result.attempt.model, response.usage, deliveredOf(response), []);
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
