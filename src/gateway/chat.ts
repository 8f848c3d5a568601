import type { Principal } from "../auth/principal";
import type { ChatRequest, ChatResponse } from "../canonical/chat";
import type { Services } from "../context";
import { GatewayError } from "../errors";
import type { StoredResponse } from "../ledger/types";
import type { ModelConfig } from "../policy/types";
import { getAdapter } from "../providers";
import { executePlan } from "../routing/execute";
import { type PlanInput, planRoute, type RoutePlan } from "../routing/plan";
import { sleep } from "../routing/sleep";
import { estimatePromptTokens } from "../routing/token-estimate";
import { type Admission, type AdmitParams, admit, type BillingInput, worstCase } from "./billing/admission";
import { type Bill, billFor, responseChars, type Settlement, type SettleOp, settleOp, voidOp } from "./billing/meter";
import { pricePlan, reservedPromptTokens } from "./billing/pricing";
import { chatSettlement } from "./billing/settlement";
import { type ChatCache, openChatCache } from "./cache";
import type { CacheHit } from "./cache-hit";
import { spillover } from "./origin-load";
import { type RouteMeta, routeMeta } from "./route-meta";
import { capPremium } from "./tiering";
import { chatJsonAttempt, chatStreamAttempt, type StreamStart } from "./upstream-call";

export type ChatOutcome =
  | {
      kind: "json";
      response: ChatResponse;
      meta: RouteMeta;
      admission: Admission;
      bill: Bill;
      settlement: Settlement;
      cache?: ChatCache;
    }
  | {
      kind: "stream";
      start: StreamStart;
      meta: RouteMeta;
      idleTimeoutMs: number;
      admission: Admission;
      settlement: Settlement;
      model: ModelConfig;
      cache?: ChatCache;
    }
  | { kind: "replay"; response: StoredResponse }
  /** A streaming request answered from the response cache (src/gateway/cache-respond.ts writes it). */
  | { kind: "cached"; hit: CacheHit };

export interface ChatContext {
  services: Services;
  principal: Principal;
  /** `x-gateway-task-type` header, used by routing rules. */
  taskType?: string;
  /** Fires when the client goes away. */
  signal?: AbortSignal;
  billing: BillingInput;
  /** Durable settlement, off the hot path (waitUntil + outbox). */
  submit: (op: SettleOp) => Promise<void>;
  startedAt: number;
  /** The client's request headers (the response cache reads `cache-control` and `x-gateway-cache`). */
  requestHeaders?: Headers;
  /** The response cache is not consulted, written or counted (the tool loop's turns). */
  skipCache?: boolean;
  /** Keeps background work (cache writes, counters) alive after the response. */
  waitUntil?: (p: Promise<unknown>) => void;
}

function requestedMaxTokens(req: ChatRequest): number | undefined {
  return req.max_completion_tokens ?? req.max_tokens ?? undefined;
}

/** The planner's view of a chat request (kept so a runtime tier change can re-plan the same request). */
export function chatPlanInput(ctx: ChatContext, req: ChatRequest): PlanInput {
  const { policy, breakers, random } = ctx.services;
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

export function planChat(ctx: ChatContext, req: ChatRequest): RoutePlan {
  const input = chatPlanInput(ctx, req);
  const planned = planRoute(input);
  if (!planned.ok) throw planned.error;
  const plan = capPremium(ctx.services, ctx.principal.tenant.id, input, planned.plan);
  const max = requestedMaxTokens(req);
  if (max !== undefined && max > plan.model.max_output_tokens) {
    const param = req.max_completion_tokens == null ? "max_tokens" : "max_completion_tokens";
    throw new GatewayError(
      "invalid_request",
      `${param} is ${max}, above the ${plan.model.max_output_tokens} output tokens model "${plan.alias}" allows.`,
      { param },
    );
  }
  return plan;
}

/**
 * Usage flag of a request whose overlapped upstream call was started and then cancelled because the ledger refused
 * it: the provider may bill that call, the tenant is not. Admins count these to see what overlap costs them.
 */
const OVERLAP_CANCELLED = "overlap_cancelled";

export async function runChat(ctx: ChatContext, req: ChatRequest): Promise<ChatOutcome> {
  const priced = pricePlan(planChat(ctx, req));
  const { services } = ctx;
  // Load-aware spillover: a busy origin cluster's targets move behind the hosted fallbacks (priced above).
  const plan = spillover(services, priced.plan, ctx.waitUntil).plan;
  const { outcome: cachedOutcome, cache } = await openChatCache(ctx, req, plan);
  if (cachedOutcome !== undefined) return cachedOutcome;
  const promptEstimate = estimatePromptTokens(req);
  const ask: AdmitParams = {
    services,
    release: (req) => void ctx.submit({ kind: "void", req }),
    principal: ctx.principal,
    input: ctx.billing,
    pricing: priced.pricing,
    promptTokens: reservedPromptTokens(promptEstimate),
    maxOutputTokens: requestedMaxTokens(req) ?? plan.model.max_output_tokens,
  };
  const call: RoutedCall = { ctx, plan, promptEstimate, cache };

  const overlapDone = overlapAllowed(ctx, ask);
  if (overlapDone !== undefined) {
    const outcome = await routedWhileAdmitting(call, req, ask, overlapDone);
    if (outcome !== "admit_again") return outcome;
  }

  const admitted = await admit(ask).catch((err: unknown) => {
    if (overlapDone !== undefined && err instanceof GatewayError) err.usageFlags.push(OVERLAP_CANCELLED);
    throw err;
  });
  if (admitted.kind === "replay") return { kind: "replay", response: admitted.response };
  // The grant may be below what was asked (the balance affords less): the upstream is told the grant.
  const admission = admitted.admission;
  const sent = admission.clamped ? withMaxTokens(req, admission.outputTokens) : req;
  return routed(call, sent, Promise.resolve(admission));
}

/**
 * Overlap the admission with the upstream call? Only where the policy allows it, the request carries nothing the
 * ledger must check first (an Idempotency-Key may replay, a task may be over budget), and this isolate recently saw
 * the account well funded. Returns the release of the room it took in the hints, or undefined.
 */
function overlapAllowed(ctx: ChatContext, ask: AdmitParams): (() => void) | undefined {
  if (!ctx.principal.tenant.credits.overlap_admission) return undefined;
  if (ctx.billing.idempotencyKey !== undefined || ctx.billing.taskId !== undefined) return undefined;
  const { principal, services } = ctx;
  return services.admissionHints.tryOverlap(principal.tenant.id, principal.accountId, worstCase(ask), services.now());
}

/**
 * The overlapped path: admission (with the full max_tokens) and the upstream call start together. A refusal cancels
 * the call, flags the refusal's usage event, and is thrown — except a 402 for the full max_tokens, answered
 * "admit_again": the usual admission may still lower max_tokens to what the balance affords.
 */
async function routedWhileAdmitting(
  call: RoutedCall,
  req: ChatRequest,
  ask: AdmitParams,
  done: () => void,
): Promise<ChatOutcome | "admit_again"> {
  const refused = new AbortController();
  const admission = admit({ ...ask, fullGrant: true }).then(
    (admitted) => {
      // Overlap is only offered without an Idempotency-Key, so there is nothing to replay.
      if (admitted.kind === "replay") throw new Error("overlapped admission answered with a replay");
      return admitted.admission;
    },
    (err: unknown) => {
      refused.abort();
      throw err;
    },
  );
  void admission.then(done, done);
  try {
    return await routed(call, req, admission, refused.signal);
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    if (refused.signal.aborted) err.usageFlags.push(OVERLAP_CANCELLED);
    if (err.code === "insufficient_credits") return "admit_again";
    throw err;
  }
}

interface RoutedCall {
  ctx: ChatContext;
  plan: RoutePlan;
  promptEstimate: number;
  cache: ChatCache;
}

/**
 * Runs the route plan for `sent` and answers once both the upstream and the admission have: the admission may still
 * be on its way when the upstream call starts (overlapped), and if it is refused the upstream call is cancelled
 * through `refused` and the refusal is thrown; nothing of the answer reaches the client before the hold exists.
 */
async function routed(
  call: RoutedCall,
  sent: ChatRequest,
  admitting: Promise<Admission>,
  refused?: AbortSignal,
): Promise<ChatOutcome> {
  const { ctx, plan, promptEstimate, cache } = call;
  const { services } = ctx;
  const signals = [ctx.signal, refused].filter((s): s is AbortSignal => s !== undefined);
  const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
  const deps = {
    breakers: services.breakers,
    now: services.now,
    random: services.random,
    sleep,
    ...(signal === undefined ? {} : { signal }),
  };
  const metaRef: { current: RouteMeta | undefined } = { current: undefined };
  const settlementFor = (admission: Admission) =>
    chatSettlement(ctx, admission, promptEstimate, () => metaRef.current, cache.usageStatus);

  if (sent.stream === true) {
    const running = executePlan(plan, {
      ...deps,
      attempt: chatStreamAttempt(services, sent),
      // A stream that started after its attempt was abandoned must not leak its upstream connection.
      discard: (late) => void late.cancel(),
    });
    // A refusal stops an attempt still in flight through its signal; a stream that already started is cancelled.
    const admission = await admitting.catch((err: unknown) => {
      void running.then((result) => (result.ok ? result.value.cancel() : undefined));
      throw err;
    });
    const settlement = settlementFor(admission);
    const result = await running;
    if (!result.ok) {
      void ctx.submit(
        voidOp(settlement, result.error.status, [result.aborted ? "client_disconnected" : "upstream_failed"]),
      );
      throw result.error;
    }
    const meta = routeMeta(plan, result.attempt, result.attempts, services.policy.version);
    metaRef.current = meta;
    return {
      kind: "stream",
      start: result.value,
      meta,
      idleTimeoutMs: plan.route.timeouts.attempt_ms,
      admission,
      settlement,
      model: result.attempt.model,
      cache,
    };
  }

  const running = executePlan(plan, { ...deps, attempt: chatJsonAttempt(services, sent) });
  // A refusal rejects here; its abort signal has already stopped the call in flight.
  const admission = await admitting;
  const settlement = settlementFor(admission);
  const result = await running;
  if (!result.ok) {
    ctx.submit(voidOp(settlement, result.error.status, [result.aborted ? "client_disconnected" : "upstream_failed"]));
    throw result.error;
  }
  const meta = routeMeta(plan, result.attempt, result.attempts, services.policy.version);
  metaRef.current = meta;
  const response = result.value;
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
