import type { Principal } from "../auth/principal";
import type { ChatRequest, ChatResponse } from "../canonical/chat";
import type { Services } from "../context";
import { GatewayError } from "../errors";
import type { StoredResponse } from "../ledger/types";
import type { ModelConfig } from "../policy/types";
import { getAdapter } from "../providers";
import { executePlan } from "../routing/execute";
import { planRoute, type RoutePlan } from "../routing/plan";
import { sleep } from "../routing/sleep";
import { estimatePromptTokens } from "../routing/token-estimate";
import { type Admission, admit, type BillingInput } from "./billing/admission";
import { type Bill, billFor, responseChars, type Settlement, type SettleOp, settleOp, voidOp } from "./billing/meter";
import { pricePlan, reservedPromptTokens } from "./billing/pricing";
import { chatSettlement } from "./billing/settlement";
import { type ChatCache, openChatCache } from "./cache";
import type { CacheHit } from "./cache-hit";
import { type RouteMeta, routeMeta } from "./route-meta";
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
  const priced = pricePlan(planChat(ctx, req));
  const plan = priced.plan;
  const { services } = ctx;
  const { outcome: cachedOutcome, cache } = await openChatCache(ctx, req, plan);
  if (cachedOutcome !== undefined) return cachedOutcome;
  const promptEstimate = estimatePromptTokens(req);
  const admitted = await admit({
    services,
    release: (req) => void ctx.submit({ kind: "void", req }),
    principal: ctx.principal,
    input: ctx.billing,
    pricing: priced.pricing,
    promptTokens: reservedPromptTokens(promptEstimate),
    maxOutputTokens: requestedMaxTokens(req) ?? plan.model.max_output_tokens,
  });
  if (admitted.kind === "replay") return { kind: "replay", response: admitted.response };
  const admission = admitted.admission;
  const metaRef: { current: RouteMeta | undefined } = { current: undefined };
  const settlement = chatSettlement(ctx, admission, promptEstimate, () => metaRef.current, cache.usageStatus);
  // The grant may be below what was asked (the balance affords less): the upstream is told the grant.
  const sent = admission.clamped ? withMaxTokens(req, admission.outputTokens) : req;
  const deps = {
    breakers: services.breakers,
    now: services.now,
    random: services.random,
    sleep,
    ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
  };

  if (sent.stream === true) {
    const result = await executePlan(plan, {
      ...deps,
      attempt: chatStreamAttempt(services, sent),
      // A stream that started after its attempt was abandoned must not leak its upstream connection.
      discard: (late) => void late.cancel(),
    });
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

  const result = await executePlan(plan, { ...deps, attempt: chatJsonAttempt(services, sent) });
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
