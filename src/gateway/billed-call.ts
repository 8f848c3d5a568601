/**
 * The one billed-call path. Every model call a tenant pays for — a chat completion, an embeddings call, a cache hit,
 * each tool-loop turn, and next a Responses call, a batch item, each step of a cascade — goes through `billedCall`:
 *
 *   plan → price (the caller: `pricePlan`) → admit → execute (the caller's executor) → settle + usage event
 *
 * `billedCall` builds the admission from a `Charge` (the one place admission parameters are written), admits the
 * hold (possibly overlapped with the call, see `Charge.overlap`), and hands the executor a `Hold` whose `settle` and
 * `release` write the terminal ledger entry together with the usage event, at most once (a second resolution is
 * dropped and logged). If the executor throws, the hold is released for it. If it returns, the hold is either
 * resolved already (settled at once, as embeddings do) or carried by the returned value to the code that settles it
 * once the response is final (a JSON body for an Idempotency-Key replay, a stream's `StreamBill`).
 *
 * ```ts
 * const { plan, pricing } = pricePlan(planned);                         // plan → price
 * const outcome = await billedCall(ctx, { pricing, promptEstimate, maxOutputTokens: 0, cache: "none" },
 *   async ({ hold, signal }) => {
 *     const held = await hold;                                         // admitted (a refusal throws here)
 *     const result = await executePlan(plan, { ...executorDeps(ctx.services, signal), attempt }); // execute
 *     if (!result.ok) throw result.error;                              // billedCall releases the hold
 *     held.served(routeMeta(plan, result.attempt, result.attempts, ctx.services.policy.version));
 *     await held.settle(bill, 200);                                    // settle + usage event, once
 *     return result.value;
 *   });
 * if (outcome.kind === "replay") return outcome.response;              // Idempotency-Key replay: nothing ran
 * ```
 *
 * Two billed calls in one request (a cascade's cheap and premium steps, tool-loop turns) are two `billedCall`s, each
 * on its own ledger request id: give each its own context with `callPart(ctx, "…")`.
 */
import { GatewayError } from "../errors";
import type { RoutingInputs, UsageEvent } from "../ledger/types";
import { ATTR } from "../observability/attributes";
import { recordUsage } from "../observability/usage";
import type { ModelPricing } from "../policy/types";
import { type AdmitParams, admit, worstCase } from "./billing/admission";
import { type Bill, type Settlement, type SettleOp, settleOp, voidOp } from "./billing/meter";
import { reservedPromptTokens } from "./billing/pricing";
import type { Admission } from "./billing/types";
import { usageEvent } from "./billing/usage-event";
import type { RouteMeta } from "./route-meta";
import type { ChatContext } from "./types";

/** What a call may cost: the prices and token counts the hold is sized from, and how the usage event files it. */
export interface Charge {
  /** Prices per million tokens for the hold: the priced plan's (`pricePlan`), or a hit's hold price. */
  pricing: ModelPricing;
  /** The prompt's estimated tokens (script-aware, src/routing/token-estimate.ts): billed when an upstream reports none. */
  promptEstimate: number;
  /**
   * The fewest prompt tokens the prompt's text can be (`tokenFloor`): a reported count below it is not believed
   * (billed at the estimate, flagged `usage_implausible`). Default 0: no floor.
   */
  promptFloor?: number;
  /** Prompt tokens the hold counts; default `reservedPromptTokens(promptEstimate)` (the estimate plus a margin). */
  promptTokens?: number;
  /** Output tokens the call may generate (0 for embeddings and cache hits). */
  maxOutputTokens: number;
  /** The usage event's `cache` field. */
  cache: UsageEvent["cache"];
  /** What routing saw (recorded on the usage event for `gateway simulate`). */
  routingInputs?: RoutingInputs;
  /**
   * Admission may overlap the call (chat): where the tenant allows it, the request carries neither an
   * Idempotency-Key nor a task id, and this isolate recently saw the account well funded, the executor runs while
   * the hold is being admitted (its `hold` still pending); a refusal aborts `signal` and is thrown.
   */
  overlap?: boolean;
}

/** An admitted hold: resolves exactly once, by `settle` (the bill) or `release` (nothing billed). */
export interface Hold {
  readonly admission: Admission;
  /** For metering code that builds its own ops (`StreamBill`, `settleOp`); its `submit` is the same once-only path. */
  readonly settlement: Settlement;
  /** Records what served the call; the usage event reads it when the hold resolves. */
  served(meta: RouteMeta): void;
  settle(bill: Bill, status: number, replay?: { headers: Record<string, string>; body: string }): Promise<void>;
  release(status: number, flags: string[]): Promise<void>;
  /** Whether `settle` or `release` (or the settlement's own `submit`) has run. */
  readonly resolved: boolean;
}

/** What the executor gets. */
export interface CallRun {
  /** The hold. Already admitted unless admission overlaps the call; rejects with the refusal. */
  hold: Promise<Hold>;
  /** Fires when the client leaves or an overlapped admission is refused: pass it to the upstream call. */
  signal: AbortSignal | undefined;
  /** Set when the balance affords fewer output tokens than asked: the upstream must be asked for this many. */
  grantedOutputTokens?: number;
}

export type BilledOutcome<T> =
  | { kind: "done"; value: T }
  /** An Idempotency-Key replay: the stored answer of the first request; nothing ran and nothing is billed. */
  | { kind: "replay"; response: Extract<Awaited<ReturnType<typeof admit>>, { kind: "replay" }>["response"] };

/**
 * Usage flag of a request whose overlapped upstream call was started and then cancelled because the ledger refused
 * it: the provider may bill that call, the tenant is not. Admins count these to see what overlap costs them.
 */
const OVERLAP_CANCELLED = "overlap_cancelled";

export async function billedCall<T>(
  ctx: ChatContext,
  charge: Charge,
  execute: (run: CallRun) => Promise<T>,
): Promise<BilledOutcome<T>> {
  const ask = admitParams(ctx, charge);
  const overlapDone = charge.overlap === true ? overlapAllowed(ctx, ask) : undefined;
  if (overlapDone !== undefined) {
    const outcome = await whileAdmitting(ctx, charge, ask, overlapDone, execute);
    if (outcome !== "admit_again") return outcome;
  }

  const admitted = await tracedAdmit(ctx, ask).catch((err: unknown) => {
    if (overlapDone !== undefined && err instanceof GatewayError) err.usageFlags.push(OVERLAP_CANCELLED);
    throw err;
  });
  if (admitted.kind === "replay") return { kind: "replay", response: admitted.response };
  const { admission } = admitted;
  const hold = Promise.resolve(openHold(ctx, charge, admission));
  const run: CallRun = { hold, signal: ctx.signal };
  if (admission.clamped) run.grantedOutputTokens = admission.outputTokens;
  return { kind: "done", value: await releasedOnThrow(ctx, hold, () => execute(run)) };
}

/** Admission in its span (`gateway.admit`): the hold, the grant, or the refusal's code. Untraced when off. */
function tracedAdmit(ctx: ChatContext, ask: AdmitParams, overlapped = false): ReturnType<typeof admit> {
  return ctx.services.telemetry.enabled ? admitInSpan(ctx, ask, overlapped) : admit(ask);
}

async function admitInSpan(ctx: ChatContext, ask: AdmitParams, overlapped: boolean): ReturnType<typeof admit> {
  const span = ctx.span.child("gateway.admit");
  if (overlapped) span.set("gateway.overlapped", true);
  try {
    const admitted = await admit(ask);
    span.set(ATTR.decision, admitted.kind);
    if (admitted.kind === "admitted") {
      span.set("gateway.reserved_micros", admitted.admission.reserved);
      span.set("gateway.granted_output_tokens", admitted.admission.outputTokens);
      if (admitted.admission.clamped) span.set("gateway.clamped", true);
    }
    return admitted;
  } catch (err) {
    const code = err instanceof GatewayError ? err.code : "store_unavailable";
    span.set(ATTR.decision, "refused");
    span.fail(code);
    throw err;
  } finally {
    span.end();
  }
}

/** A context for one of several billed calls of a request: its own ledger request id (`<request id>.<part>`). */
export function callPart(ctx: ChatContext, part: string): ChatContext {
  return { ...ctx, billing: { ...ctx.billing, requestId: `${ctx.billing.requestId}.${part}` } };
}

/** The hold's settlement for a call admitted elsewhere (`billedCall` opens it; exported for the tests of metering). */
export function openHold(ctx: ChatContext, charge: Charge, admission: Admission): Hold {
  const { services } = ctx;
  let meta: RouteMeta | undefined;
  let resolved: Promise<void> | undefined;
  // The request's trace lasts until its hold resolves (a stream's, when the stream ends), so the root span's duration
  // is the answer's; the settlement span then covers the durable write.
  const releaseRoot = ctx.span.hold();
  const submit = (op: SettleOp): Promise<void> => {
    if (resolved !== undefined) {
      console.error(`[${admission.requestId}] hold already resolved; a second ${op.kind} was dropped`);
      return resolved;
    }
    const span = ctx.span.child("gateway.settle");
    span.set(ATTR.decision, op.kind);
    recordUsage(span, ctx.span, op.req.usage);
    releaseRoot();
    resolved = ctx.submit(op);
    if (span.recording) {
      resolved.then(
        () => span.end(),
        (err: unknown) => {
          span.fail("settlement_failed", err instanceof Error ? err.message : undefined);
          span.end();
        },
      );
    }
    return resolved;
  };
  const settlement: Settlement = {
    admission,
    promptEstimate: charge.promptEstimate,
    promptFloor: charge.promptFloor ?? 0,
    submit,
    usage: (facts) => ({
      ...usageEvent(
        ctx.principal,
        admission,
        meta,
        { ...facts, startedAt: ctx.startedAt, now: services.now() },
        services.policy.version,
      ),
      cache: charge.cache,
      ...(charge.routingInputs === undefined ? {} : { routingInputs: charge.routingInputs }),
      ...(ctx.mode === undefined ? {} : { mode: ctx.mode }),
    }),
  };
  return {
    admission,
    settlement,
    served: (m) => {
      meta = m;
    },
    settle: (bill, status, replay) => submit(settleOp(settlement, bill, status, replay)),
    release: (status, flags) => submit(voidOp(settlement, status, flags)),
    get resolved() {
      return resolved !== undefined;
    },
  };
}

function admitParams(ctx: ChatContext, charge: Charge): AdmitParams {
  return {
    services: ctx.services,
    release: (req) => void ctx.submit({ kind: "void", req }),
    principal: ctx.principal,
    input: ctx.billing,
    pricing: charge.pricing,
    promptTokens: charge.promptTokens ?? reservedPromptTokens(charge.promptEstimate),
    maxOutputTokens: charge.maxOutputTokens,
  };
}

/** An executor that throws leaves no hold behind: whatever it did not resolve is released (once-only). */
async function releasedOnThrow<T>(ctx: ChatContext, hold: Promise<Hold>, run: () => Promise<T>): Promise<T> {
  // A refused hold rejects: the executor sees that through its own await; this copy must not go unhandled.
  hold.catch(() => undefined);
  try {
    return await run();
  } catch (err) {
    const status = err instanceof GatewayError ? err.status : 500;
    const flag = ctx.signal?.aborted === true ? "client_disconnected" : "upstream_failed";
    void hold.then(
      (h) => (h.resolved ? undefined : h.release(status, [flag])),
      () => undefined,
    );
    throw err;
  }
}

/**
 * Overlap the admission with the call? Only where the policy allows it, the request carries nothing the ledger must
 * check first (an Idempotency-Key may replay, a task may be over budget), and this isolate recently saw the account
 * well funded. Returns the release of the room it took in the hints, or undefined.
 */
function overlapAllowed(ctx: ChatContext, ask: AdmitParams): (() => void) | undefined {
  if (!ctx.principal.tenant.credits.overlap_admission) return undefined;
  if (ctx.billing.idempotencyKey !== undefined || ctx.billing.taskId !== undefined) return undefined;
  const { principal, services } = ctx;
  return services.admissionHints.tryOverlap(principal.tenant.id, principal.accountId, worstCase(ask), services.now());
}

/**
 * The overlapped path: admission (with the full max_tokens) and the call start together. A refusal cancels the call,
 * flags the refusal's usage event, and is thrown — except a 402 for the full max_tokens, answered "admit_again": the
 * usual admission may still lower max_tokens to what the balance affords.
 */
async function whileAdmitting<T>(
  ctx: ChatContext,
  charge: Charge,
  ask: AdmitParams,
  done: () => void,
  execute: (run: CallRun) => Promise<T>,
): Promise<BilledOutcome<T> | "admit_again"> {
  const refused = new AbortController();
  const admission = tracedAdmit(ctx, { ...ask, fullGrant: true }, true).then(
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
  const hold = admission.then((a) => openHold(ctx, charge, a));
  const signal = ctx.signal === undefined ? refused.signal : AbortSignal.any([ctx.signal, refused.signal]);
  try {
    return { kind: "done", value: await releasedOnThrow(ctx, hold, () => execute({ hold, signal })) };
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    if (refused.signal.aborted) err.usageFlags.push(OVERLAP_CANCELLED);
    if (err.code === "insufficient_credits") return "admit_again";
    throw err;
  }
}
