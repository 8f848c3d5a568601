import type { Principal } from "../../auth/principal";
import type { UsageEvent } from "../../ledger/types";
import type { RouteMeta } from "../route-meta";
import type { Admission } from "./admission";

export interface UsageFacts {
  inputTokens: number;
  outputTokens: number;
  cachedTokens?: number;
  cacheWriteTokens?: number;
  cost: number;
  status: number;
  flags: string[];
  startedAt: number;
  now: number;
}

/** The usage event written with the hold's settlement (same atomic step), so it is never lost apart from it. */
export function usageEvent(
  principal: Principal,
  admission: Admission,
  meta: RouteMeta | undefined,
  facts: UsageFacts,
  policyVersion: string,
): UsageEvent {
  const event: UsageEvent = {
    requestId: admission.requestId,
    at: facts.startedAt,
    tenantId: admission.tenantId,
    keyId: admission.accountId,
    inputTokens: facts.inputTokens,
    outputTokens: facts.outputTokens,
    cost: facts.cost,
    cache: "none",
    latencyMs: Math.max(0, facts.now - facts.startedAt),
    status: facts.status,
    policyVersion,
    flags: facts.flags,
  };
  if (facts.cachedTokens !== undefined && facts.cachedTokens > 0) event.cachedTokens = facts.cachedTokens;
  if (facts.cacheWriteTokens !== undefined && facts.cacheWriteTokens > 0)
    event.cacheWriteTokens = facts.cacheWriteTokens;
  if (admission.input.taskId !== undefined) event.taskId = admission.input.taskId;
  const feature = admission.input.feature ?? principal.tags?.[0];
  if (feature !== undefined) event.feature = feature;
  if (meta !== undefined) {
    event.route = meta.route;
    event.model = meta.alias;
    event.provider = meta.providerId;
    event.attempts = meta.attempts;
    event.fallback = meta.fallback;
    if (meta.routing !== undefined) event.routing = meta.routing;
  }
  return event;
}
