import type { Principal } from "../../auth/principal";
import type { Services } from "../../context";
import { GatewayError } from "../../errors";
import { tokenCost } from "../../ledger/pricing";
import type { AdmitRequest, VoidRequest } from "../../ledger/types";
import { StoreUnavailableError } from "../../ledger/types";
import type { ModelPricing } from "../../policy/types";
import { rateLimitHeaders } from "./headers";
import type { AdmitOutcome, BillingInput } from "./types";

export type { Admission, AdmitOutcome, BillingInput } from "./types";

export interface AdmitParams {
  services: Services;
  /**
   * Releases a hold this request may hold without knowing it: when the store's reply to admission is lost, the
   * reservation may exist server-side. Called (durably) before refusing, so a refused request never stays reserved.
   */
  release: (req: VoidRequest) => void;
  principal: Principal;
  input: BillingInput;
  pricing: ModelPricing;
  promptTokens: number;
  maxOutputTokens: number;
  /**
   * All of maxOutputTokens or a refusal, never a lowered grant: an overlapped admission, whose upstream call was
   * already sent with the client's max_tokens, cannot have its grant clamped afterwards.
   */
  fullGrant?: boolean;
}

/** The most this request can cost: the prompt at the input price plus every requested output token. */
export function worstCase(p: AdmitParams): number {
  return tokenCost(p.promptTokens, p.pricing.input_per_mtok) + tokenCost(p.maxOutputTokens, p.pricing.output_per_mtok);
}

/**
 * One atomic admission in the ledger: idempotency, rate limits, task budget and the credit hold in a single store
 * operation. Any refusal happens before an upstream is called; an unreachable store refuses too (fail closed).
 */
export async function admit(p: AdmitParams): Promise<AdmitOutcome> {
  const { tenant } = p.principal;
  const credits = tenant.credits;
  const req: AdmitRequest = {
    keyId: p.principal.accountId,
    tenantId: tenant.id,
    requestId: p.input.requestId,
    promptCost: tokenCost(p.promptTokens, p.pricing.input_per_mtok),
    outputPricePerMtok: p.pricing.output_per_mtok,
    maxOutputTokens: p.maxOutputTokens,
    minOutputTokens: p.fullGrant === true ? p.maxOutputTokens : Math.min(credits.min_output_tokens, p.maxOutputTokens),
    promptTokens: p.promptTokens,
    limits: { key: tenant.limits.key, tenant: tenant.limits.tenant },
    holdTtlMs: credits.hold_ttl_s * 1000,
  };
  const bodyHash = p.input.bodyHash;
  if (p.input.idempotencyKey !== undefined && bodyHash !== undefined) {
    req.idempotency = {
      key: p.input.idempotencyKey,
      bodyHash,
      ttlMs: credits.idempotency_ttl_s * 1000,
    };
  }
  if (p.input.taskId !== undefined && bodyHash !== undefined && tenant.task_budget !== undefined) {
    const { ttl_s, ...limits } = tenant.task_budget;
    req.task = { id: p.input.taskId, fingerprint: bodyHash, limits, ttlMs: ttl_s * 1000 };
  }

  let result: Awaited<ReturnType<Services["ledger"]["admit"]>>;
  try {
    result = await p.services.ledger.admit(req);
  } catch (err) {
    if (err instanceof StoreUnavailableError) {
      p.services.admissionHints.storeFailed(p.services.now());
      p.release(releaseRequest(p, req, "admission_unconfirmed"));
      throw storeUnavailable();
    }
    throw err;
  }

  // Hints only serve overlapped admission: tenants without it leave the map alone.
  if (credits.overlap_admission) {
    const hints = p.services.admissionHints;
    const now = p.services.now();
    if (result.kind === "admitted") hints.admitted(req.tenantId, req.keyId, result.balanceAfter, result.rate, now);
    else if (result.kind !== "replay") hints.refused(req.tenantId, req.keyId);
  }

  switch (result.kind) {
    case "admitted":
      return {
        kind: "admitted",
        admission: {
          accountId: req.keyId,
          tenantId: req.tenantId,
          requestId: req.requestId,
          reserved: result.reserved,
          outputTokens: result.outputTokens,
          clamped: result.clamped,
          balanceAfter: result.balanceAfter,
          rate: result.rate,
          pricing: p.pricing,
          input: p.input,
        },
      };
    case "replay":
      return { kind: "replay", response: result.response };
    case "insufficient_credits":
      throw new GatewayError(
        "insufficient_credits",
        `Not enough credits: this request needs at least ${result.needed} micro-credits; the balance is ${result.balance}.`,
        { headers: { "x-gateway-credits-remaining": String(result.balance) } },
      );
    case "rate_limited": {
      const seconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
      const what = result.state.limit === "requests" ? "requests" : "tokens";
      throw new GatewayError(
        "rate_limited",
        `Rate limit reached: ${result.state.max} ${what} per minute for this ${result.state.scope}. Retry after ${seconds} s.`,
        { headers: { "retry-after": String(seconds), ...rateLimitHeaders([result.state]) } },
      );
    }
    case "idempotency_in_flight":
      throw new GatewayError("idempotency_in_progress", "A request with this Idempotency-Key is still in progress.");
    case "idempotency_mismatch":
      throw new GatewayError("idempotency_key_reused", "This Idempotency-Key was used with a different request body.", {
        param: "Idempotency-Key",
      });
    case "task_budget_exceeded":
      throw new GatewayError("task_budget_exceeded", `Task budget exhausted (${result.limit}); the task is stopped.`);
    case "task_loop_detected":
      throw new GatewayError(
        "task_loop_detected",
        `The task repeated the identical request ${result.repeats} times; it is stopped as a runaway loop.`,
      );
    case "duplicate_request":
      p.services.admissionHints.storeFailed(p.services.now());
      // Request ids are ours and unique: a duplicate means the store ran an earlier try of this very admission
      // whose reply was lost (the client retried). Its hold is released and the request refused, fail closed.
      p.release(releaseRequest(p, req, "admission_reply_lost"));
      throw storeUnavailable();
  }
}

function storeUnavailable(): GatewayError {
  return new GatewayError("store_unavailable", "The credit store is unreachable; the request was not sent.", {
    headers: { "retry-after": "1" },
  });
}

function releaseRequest(p: AdmitParams, req: AdmitRequest, flag: string): VoidRequest {
  const now = p.services.now();
  const release: VoidRequest = {
    keyId: req.keyId,
    tenantId: req.tenantId,
    requestId: req.requestId,
    usage: {
      requestId: req.requestId,
      at: now,
      tenantId: req.tenantId,
      keyId: req.keyId,
      inputTokens: 0,
      outputTokens: 0,
      cost: 0,
      cache: "none",
      latencyMs: 0,
      status: 503,
      policyVersion: p.services.policy.version,
      flags: [flag],
    },
  };
  if (req.idempotency !== undefined) release.idempotencyKey = req.idempotency.key;
  return release;
}
