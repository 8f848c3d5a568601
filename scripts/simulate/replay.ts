import { GatewayError } from "../../src/errors";
import { pricePlan, reservedPromptTokens } from "../../src/gateway/billing/pricing";
import { costOf } from "../../src/ledger/pricing";
import type { UsageEvent } from "../../src/ledger/types";
import type { CompiledPolicy, ModelConfig } from "../../src/policy/types";
import { planRoute } from "../../src/routing/plan";
import { LimitReplay } from "./limits";

/** What one recorded request would have done under a policy. */
export type Replayed =
  | {
      kind: "served";
      alias: string;
      premium: boolean;
      cost: number;
      feature: string;
      /** The request's inputs were not recorded (an older event): replayed from its token counts alone. */
      approximate: boolean;
    }
  | { kind: "refused"; reason: string; feature: string }
  /** Not a routing decision (a tool call, a cache hit, a request refused or failed when recorded): its recorded cost. */
  | { kind: "passthrough"; why: string; cost: number; feature: string };

const NO_FEATURE = "(none)";

/** Seeded per request, so the weighted order of targets is the same in every run and under both policies. */
function seeded(text: string): () => number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return () => {
    h = (h + 0x6d2b79f5) | 0;
    let t = Math.imul(h ^ (h >>> 15), 1 | h);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A model is premium when its output price is the highest among the chat models of its route, and the route has
 * more than one price: until policies name tiers, the expensive end of a route is the premium tier.
 */
function premiumAliases(policy: CompiledPolicy): Set<string> {
  const out = new Set<string>();
  for (const route of Object.values(policy.routes)) {
    const priced = route.models
      .map((alias) => policy.models[alias])
      .filter((m): m is ModelConfig => m !== undefined && m.kind === "chat" && m.pricing !== null);
    const prices = new Set(priced.map((m) => m.pricing?.output_per_mtok ?? 0));
    if (prices.size < 2) continue;
    const top = Math.max(...prices);
    for (const m of priced) if (m.pricing?.output_per_mtok === top) out.add(m.alias);
  }
  return out;
}

/** What the request named: recorded with its routing inputs; older events fall back to the route or the alias. */
function requestedName(e: UsageEvent): string | undefined {
  return e.routingInputs?.requested ?? (e.routing !== undefined ? e.route : e.model);
}

function passthroughReason(e: UsageEvent): string | undefined {
  if (e.tool !== undefined) return "tool call";
  if (e.flags.some((f) => f.startsWith("refused:"))) return "refused when recorded";
  if (e.cache === "hit") return "cache hit";
  if (e.status !== 200) return "failed when recorded";
  return undefined;
}

/** Replays events (in time order) against one policy with the gateway's own planner and pricing. */
export function replay(
  events: readonly UsageEvent[],
  policy: CompiledPolicy,
  kindOf: (e: UsageEvent) => "chat" | "embeddings",
): Replayed[] {
  const premium = premiumAliases(policy);
  const limits = new LimitReplay();
  const ordered = events
    .map((event, index) => ({ event, index }))
    .sort((a, b) => a.event.at - b.event.at || a.index - b.index);
  const out: Replayed[] = new Array(events.length);
  for (const { event, index } of ordered) out[index] = replayOne(event, policy, premium, limits, kindOf(event));
  return out;
}

function replayOne(
  e: UsageEvent,
  policy: CompiledPolicy,
  premium: Set<string>,
  limits: LimitReplay,
  kind: "chat" | "embeddings",
): Replayed {
  const feature = e.feature ?? NO_FEATURE;
  const why = passthroughReason(e);
  if (why !== undefined) return { kind: "passthrough", why, cost: e.cost, feature };
  const tenant = policy.tenants[e.tenantId];
  if (tenant === undefined) return { kind: "refused", reason: "tenant not in policy", feature };
  const requested = requestedName(e);
  if (requested === undefined) return { kind: "refused", reason: "no model recorded", feature };
  const inputs = e.routingInputs;
  const promptTokens = inputs?.estimatedTokens ?? e.inputTokens;
  const planned = planRoute({
    policy,
    tenant,
    model: requested,
    kind,
    attributes: {
      promptTokens,
      hasTools: inputs?.hasTools ?? false,
      ...(inputs?.taskType === undefined ? {} : { taskType: inputs.taskType }),
    },
    unsupportedParams: () => [],
    isAvailable: () => true,
    random: seeded(e.requestId),
  });
  if (!planned.ok) return { kind: "refused", reason: planned.error.code, feature };
  let priced: ReturnType<typeof pricePlan>;
  try {
    priced = pricePlan(planned.plan);
  } catch (err) {
    if (err instanceof GatewayError) return { kind: "refused", reason: `${err.code} (${planned.plan.alias})`, feature };
    throw err;
  }
  const served = priced.plan.attempts[0];
  if (served === undefined || served.model.pricing === null) {
    return { kind: "refused", reason: "no priced target", feature };
  }
  const cost = costOf({ inputTokens: e.inputTokens, outputTokens: e.outputTokens }, served.model.pricing);
  const refusal = limits.admit(tenant, {
    at: e.at,
    tenantId: e.tenantId,
    keyId: e.keyId,
    taskId: e.taskId,
    tokens: reservedPromptTokens(promptTokens) + e.outputTokens,
    taskTokens: e.inputTokens + e.outputTokens,
    cost,
  });
  if (refusal !== undefined) return { kind: "refused", reason: refusal, feature };
  return {
    kind: "served",
    alias: served.alias,
    premium: premium.has(served.alias),
    cost,
    feature,
    approximate: inputs === undefined,
  };
}
