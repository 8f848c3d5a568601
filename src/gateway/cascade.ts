import type { ChatRequest, ChatResponse } from "../canonical/chat";
import { GatewayError } from "../errors";
import type { ModelConfig } from "../policy/types";
import { getAdapter } from "../providers";
import { failedChecks, type SchemaVerdict } from "../routing/cascade/checks";
import { collectJson } from "../routing/cascade/collect";
import { type Judgement, judgeAnswer } from "../routing/cascade/judge";
import { executePlan } from "../routing/execute";
import {
  type CascadeJudgement,
  type PlanInput,
  planTier,
  type RoutePlan,
  type TierDecision,
  tierOf,
} from "../routing/plan";
import { estimatePromptTokens, promptTextChars } from "../routing/token-estimate";
import { validateJson } from "../tools/json-schema";
import { attemptTrace } from "./attempt-trace";
import { billedCall, callPart } from "./billed-call";
import { billFor, deliveredOf, settleOp } from "./billing/meter";
import { pricePlan } from "./billing/pricing";
import { tokenFloor } from "./billing/usage";
import { cascadeHeaders } from "./cascade-headers";
import { routeMeta } from "./route-meta";
import { atPremiumCap, countEscalation } from "./tiering";
import type { CascadeReport, ChatCache, ChatContext, ChatOutcome } from "./types";
import { chatJsonAttempt, executorDeps } from "./upstream-call";

/**
 * The confidence cascade (route option `cascade`): the cheap tier answers first; its answer is judged (logprobs,
 * the verifier hook, deterministic checks) and, when confidence is low, the premium tier is called — within the
 * route's deadline, the task budget and the caller's credits. Each call is its own billed call (`billedCall`): the
 * cheap one on the request's id, the premium one on `<id>.escalated`; each is admitted and settled exactly once.
 * The client gets exactly one answer, and the reported cost includes the cheap call.
 *
 * Streams: the cheap call is made as a JSON call, so its whole answer is judged before any byte reaches the client
 * (the buffer is that one answer, bounded by the request's output grant). Accepted, it is replayed to the client as
 * SSE chunks (as a cache hit is); escalated, the premium call streams to the client as usual.
 */

/** Does the cascade apply? A request that named the route, landed on the cheap tier, wants one JSON answer. */
export function cascadeApplies(ctx: ChatContext, req: ChatRequest, plan: RoutePlan): boolean {
  const cascade = plan.route.cascade;
  if (cascade === undefined || !cascade.enabled || plan.viaRoute !== true) return false;
  if (tierOf(plan.route, plan.alias) !== "cheap" || plan.route.tiers?.premium[0] === undefined) return false;
  // Tool-loop turns, Idempotency-Key replays (one stored answer per key) and n > 1 keep the plain path.
  if (ctx.skipCache === true || ctx.billing.idempotencyKey !== undefined) return false;
  return (req.n ?? 1) === 1;
}

/** The cheap call asks for logprobs when the policy judges by them and the cheap targets can return them. */
function cheapRequest(ctx: ChatContext, req: ChatRequest, plan: RoutePlan): ChatRequest {
  if (plan.route.cascade?.logprobs === undefined || req.logprobs === true) return req;
  const asked = { ...req, logprobs: true };
  const providers = ctx.services.policy.providers;
  const supported = plan.attempts.every((a) => {
    const p = providers[a.providerId];
    return p !== undefined && getAdapter(p.type).unsupportedParams(asked).length === 0;
  });
  return supported ? asked : req;
}

function schemaVerdict(schema: Record<string, unknown>, value: unknown): SchemaVerdict {
  const check = validateJson(schema, value);
  if (check.ok) return "ok";
  return check.kind === "unsupported" ? "unchecked" : "invalid";
}

/** The logprobs the gateway asked for are not the client's: they are removed from the answer it gets. */
function withoutLogprobs(response: ChatResponse): ChatResponse {
  return { ...response, choices: response.choices.map((c) => ({ ...c, logprobs: null })) };
}

interface Step {
  response: ChatResponse;
  model: ModelConfig;
  outcome: Extract<ChatOutcome, { kind: "json" }>;
}

/** One JSON call of the cascade, billed on its own; the caller settles it (or returns it to be settled). */
async function step(ctx: ChatContext, plan: RoutePlan, req: ChatRequest, cache: ChatCache): Promise<Step> {
  const { plan: priced, pricing } = pricePlan(plan);
  const maxOutputTokens = req.max_completion_tokens ?? req.max_tokens ?? priced.model.max_output_tokens;
  const charge = {
    pricing,
    promptEstimate: estimatePromptTokens(req),
    promptFloor: tokenFloor(promptTextChars(req)),
    maxOutputTokens,
    cache: cache.usageStatus,
  };
  const billed = await billedCall(ctx, charge, async (run) => {
    const sent =
      run.grantedOutputTokens === undefined
        ? req
        : req.max_completion_tokens == null
          ? { ...req, max_tokens: run.grantedOutputTokens }
          : { ...req, max_completion_tokens: run.grantedOutputTokens };
    const { services } = ctx;
    const running = executePlan(priced, {
      ...executorDeps(services, run.signal),
      attempt: chatJsonAttempt(services, sent, attemptTrace(ctx, "chat")),
    });
    const hold = await run.hold;
    const result = await running;
    if (!result.ok) {
      void hold.release(result.error.status, [result.aborted ? "client_disconnected" : "upstream_failed"]);
      throw result.error;
    }
    const meta = routeMeta(priced, result.attempt, result.attempts, services.policy.version);
    hold.served(meta);
    const response = result.value;
    const bill = billFor(hold.settlement, result.attempt.model, response.usage, deliveredOf(response), []);
    const outcome: Step["outcome"] = {
      kind: "json",
      response,
      meta,
      admission: hold.admission,
      bill,
      settlement: hold.settlement,
    };
    return { response, outcome, model: result.attempt.model };
  });
  // Idempotency-Key requests never cascade, so admission cannot answer with a replay here.
  if (billed.kind === "replay") throw new GatewayError("internal_error", "a cascade step was answered by a replay");
  return billed.value;
}

/**
 * A cascade call's routing record: the tier and whether the request escalated, the cascade's judgement once made,
 * and the learned router's score and verdict from the plan (what sent the request to the cheap tier first).
 */
function decision(
  plan: RoutePlan,
  tier: "cheap" | "premium",
  escalated: boolean,
  report?: CascadeReport,
  decidedBy = "cascade",
): TierDecision {
  const routed = plan.decision;
  const d: TierDecision = { decidedBy, tier, escalated };
  if (routed?.score !== undefined) d.score = routed.score;
  if (routed?.router !== undefined) d.router = routed.router;
  if (report !== undefined) d.cascade = judgementOf(report);
  return d;
}

function judgementOf(report: CascadeReport): CascadeJudgement {
  const j: CascadeJudgement = { verdict: report.verdict };
  if (report.signal !== undefined) j.signal = report.signal;
  if (report.confidence !== undefined) j.confidence = report.confidence;
  return j;
}

/** Runs the cascade; returns the one JSON outcome the client gets (with the cascade's report). */
export async function runCascade(
  ctx: ChatContext,
  req: ChatRequest,
  input: PlanInput,
  plan: RoutePlan,
  cache: ChatCache,
  /** Streams the premium call to the client (chat.ts's usual billed stream), for streamed requests. */
  streamPremium: (ctx: ChatContext, plan: RoutePlan) => Promise<ChatOutcome>,
  /** The route's learned verifier (`router.verifier`); else the isolate's `Services.verifier`, if any. */
  routeVerifier?: (answer: string) => Promise<number | undefined>,
): Promise<ChatOutcome> {
  const cascade = plan.route.cascade;
  const premiumAlias = plan.route.tiers?.premium[0];
  if (cascade === undefined || premiumAlias === undefined) throw new GatewayError("internal_error", "no cascade");
  const { services } = ctx;
  const tenantId = ctx.principal.tenant.id;
  const cheapReq = cheapRequest(ctx, req, plan);
  const cheapPlan: RoutePlan = { ...plan, decision: decision(plan, "cheap", false) };
  const streamed = req.stream === true;
  const asJson: ChatRequest = streamed ? { ...cheapReq, stream: false, stream_options: null } : cheapReq;
  const cheap = await step(ctx, cheapPlan, asJson, cache);
  const shown = cheapReq === req ? cheap.response : withoutLogprobs(cheap.response);

  const collected = collectJson(cheap.response);
  const failed = failedChecks(collected.answer, req, schemaVerdict);
  const verifier =
    routeVerifier !== undefined
      ? await routeVerifier(collected.answer.content)
      : services.verifier === undefined
        ? undefined
        : await services.verifier(req, collected.answer.content);
  const judged: Judgement = judgeAnswer(
    {
      failed,
      ...(collected.logprobs === undefined ? {} : { logprobs: collected.logprobs }),
      ...(verifier === undefined ? {} : { verifier }),
    },
    cascade,
    atPremiumCap(services, tenantId, plan.route),
  );
  const report: CascadeReport = { verdict: judged.heldByCap === true ? "held_by_cap" : "accepted", cheapCost: 0 };
  if (judged.confidence !== undefined) report.confidence = judged.confidence;
  if (judged.signal !== undefined) report.signal = judged.signal;

  const keepCheap = (verdict: CascadeReport["verdict"], by?: string): ChatOutcome => {
    report.verdict = verdict;
    cheap.outcome.meta.routing = decision(plan, "cheap", false, report, by);
    if (!streamed) return { ...cheap.outcome, response: shown, cascade: report };
    const { meta, admission, settlement, bill } = cheap.outcome;
    const headers = cascadeHeaders(report, admission, bill.cost);
    return { kind: "cached", hit: { response: shown, meta, model: cheap.model, admission, settlement, bill, headers } };
  };
  if (!judged.escalate) return keepCheap(report.verdict);
  const remaining = plan.route.timeouts.deadline_ms - (services.now() - ctx.startedAt);
  if (plan.route.degrade?.deadline !== false && remaining < cascade.min_remaining_ms) {
    return keepCheap("deadline", "degrade:deadline");
  }

  const escalated: CascadeReport = { ...report, verdict: "escalated" };
  const premium = planTier(input, plan, premiumAlias, decision(plan, "premium", true, escalated));
  if (!premium.ok) return keepCheap("accepted");
  cheap.outcome.meta.routing = decision(plan, "cheap", true, escalated);
  const escalatedCtx = callPart(ctx, "escalated");
  let upper: ChatOutcome;
  try {
    upper = streamed
      ? await streamPremium(escalatedCtx, premium.plan)
      : (await step(escalatedCtx, premium.plan, req, cache)).outcome;
  } catch (err) {
    // Credits, task budget or the premium tier failing: the cheap answer is already paid for, and is served.
    if (!(err instanceof GatewayError)) throw err;
    report.escalationError = err.code;
    return keepCheap("kept_cheap");
  }
  // The cheap hold's one resolution: its answer is not sent, but the call was made and is billed.
  void cheap.outcome.settlement.submit(settleOp(cheap.outcome.settlement, cheap.outcome.bill, 200));
  countEscalation(services, tenantId, plan.route);
  report.verdict = "escalated";
  report.cheapCost = Math.min(cheap.outcome.bill.cost, cheap.outcome.admission.reserved);
  return upper.kind === "json" || upper.kind === "stream" ? { ...upper, cascade: report } : upper;
}
