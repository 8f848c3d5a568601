/**
 * Route planning: request facts + policy + health view -> the ordered list of upstream targets to try. Pure: every
 * source of variation (breaker state, adapter capabilities, randomness) is passed in, so plans are table-testable.
 */

import { GatewayError } from "../errors";
import type { CompiledPolicy, ModelConfig, RouteConfig, RuleCondition, TenantConfig } from "../policy/types";
import { orderTargets } from "./weighted-order";

export type RequestKind = "chat" | "embeddings";

export interface PlanAttributes {
  promptTokens: number;
  hasTools: boolean;
  taskType?: string;
}

export interface PlanInput {
  policy: CompiledPolicy;
  tenant: TenantConfig;
  /** What the request asked for: a route name or a model alias. */
  model: string;
  kind: RequestKind;
  attributes: PlanAttributes;
  /** Request fields the adapter behind `providerId` cannot honour for this request. */
  unsupportedParams: (providerId: string) => string[];
  /** Circuit-breaker view of a target (`${providerId}/${upstreamModel}`). */
  isAvailable: (targetKey: string) => boolean;
  random: () => number;
}

export interface PlannedAttempt {
  alias: string;
  model: ModelConfig;
  providerId: string;
  upstreamModel: string;
  targetKey: string;
}

export interface RoutePlan {
  route: RouteConfig;
  /** The alias the request resolved to (fallback aliases appear only in `attempts`). */
  alias: string;
  model: ModelConfig;
  attempts: PlannedAttempt[];
  /** Index of the rule that chose `alias`, when the request named a route and a rule matched. */
  rule?: number;
  /** The request named the route (its rules, tiers and cascade apply), not one of its aliases. */
  viaRoute?: boolean;
  /** How the tier was decided beyond the rules (premium cap, degradation, cascade, spillover); see TierDecision. */
  decision?: TierDecision;
}

/** What decided the served tier, recorded on the usage event (`routing`, the ledger's RoutingRecord) and in headers. */
export interface TierDecision {
  /**
   * What decided the tier: `rule:<n>` (a route rule), `router` (the learned router's score), `default` (the route's
   * default), `alias` (named directly), `premium_cap`, `degrade:balance`, `degrade:deadline`, or `cascade`.
   */
  decidedBy: string;
  tier?: "cheap" | "premium";
  /** The learned router's score (probability the premium tier is needed), 0..1. */
  score?: number;
  /** A cascade judged the cheap answer and called the premium model. */
  escalated?: boolean;
  /** The learned router's verdict (mode on or shadow): its tier and why (`router`, `router:no-embedding`). */
  router?: { tier: "cheap" | "premium"; decidedBy: string; shadow?: true };
  /** An origin cluster's load sent the request to a hosted fallback. */
  spillover?: boolean;
  /** A cascade's judgement of the cheap answer, on both of its calls' records (the router's verdict is kept). */
  cascade?: CascadeJudgement;
}

export interface CascadeJudgement {
  verdict: "accepted" | "escalated" | "held_by_cap" | "deadline" | "kept_cheap";
  /** The signal that decided (`verifier`, `logprob_mean`, `json`, …). */
  signal?: string;
  /** The cheap answer's lowest confidence score (0 after a failed check). */
  confidence?: number;
}

export type PlanResult = { ok: true; plan: RoutePlan } | { ok: false; error: GatewayError };

export function targetKeyOf(providerId: string, upstreamModel: string): string {
  return `${providerId}/${upstreamModel}`;
}

export function planRoute(input: PlanInput): PlanResult {
  const resolved = resolve(input);
  if (!resolved.ok) return resolved;
  const { route, alias, model, rule } = resolved;
  if (model.kind !== input.kind) {
    return fail(
      new GatewayError("invalid_request", `model "${input.model}" serves ${model.kind}, not ${input.kind}`, {
        param: "model",
      }),
    );
  }

  const attempts = expand(input, route, alias);
  if (!attempts.ok) return attempts;
  const plan: RoutePlan = { route, alias, model, attempts: attempts.attempts };
  if (rule !== undefined) plan.rule = rule;
  if (resolved.viaRoute) plan.viaRoute = true;
  return { ok: true, plan };
}

/**
 * The same route planned for another of its aliases: a runtime tier change (premium cap, degradation, a cascade's
 * escalation). The alias's fallbacks apply as usual; `decision` records why.
 */
export function planTier(input: PlanInput, plan: RoutePlan, alias: string, decision: TierDecision): PlanResult {
  const model = input.policy.models[alias];
  if (model === undefined || !plan.route.models.includes(alias)) {
    return fail(new GatewayError("internal_error", "routing policy is inconsistent"));
  }
  const attempts = expand(input, plan.route, alias);
  if (!attempts.ok) return attempts;
  return { ok: true, plan: { ...plan, alias, model, attempts: attempts.attempts, decision } };
}

/** What chose the alias before any runtime step: a rule, or the route's default (or the alias itself, named). */
export function decidedByRule(plan: RoutePlan): string {
  if (plan.rule !== undefined) return `rule:${plan.rule}`;
  return plan.viaRoute === true ? "default" : "alias";
}

/** The tier of an alias on a route with `tiers`, or undefined (no tiers, or an alias in neither). */
export function tierOf(route: RouteConfig, alias: string): "cheap" | "premium" | undefined {
  if (route.tiers === undefined) return undefined;
  if (route.tiers.cheap === alias) return "cheap";
  return route.tiers.premium.includes(alias) ? "premium" : undefined;
}

type Resolved =
  | { ok: true; route: RouteConfig; alias: string; model: ModelConfig; rule?: number; viaRoute?: boolean }
  | { ok: false; error: GatewayError };

function resolve(input: PlanInput): Resolved {
  const { policy, tenant, model: name } = input;
  const namedRoute = tenant.routes.includes(name) ? policy.routes[name] : undefined;
  if (namedRoute !== undefined) {
    const rule = namedRoute.rules.findIndex((r) => matches(r.when, input));
    const alias = rule === -1 ? namedRoute.default_model : (namedRoute.rules[rule]?.use ?? namedRoute.default_model);
    const model = policy.models[alias];
    // The policy compiler guarantees every alias exists; a miss here is a broken build, not a client error.
    if (model === undefined) return fail(new GatewayError("internal_error", "routing policy is inconsistent"));
    return rule === -1
      ? { ok: true, route: namedRoute, alias, model, viaRoute: true }
      : { ok: true, route: namedRoute, alias, model, rule, viaRoute: true };
  }

  const model = policy.models[name];
  if (model !== undefined) {
    for (const routeName of tenant.routes) {
      const route = policy.routes[routeName];
      if (route?.models.includes(name)) return { ok: true, route, alias: name, model };
    }
  }

  if (model !== undefined || policy.routes[name] !== undefined) {
    return fail(
      new GatewayError("model_not_allowed", `model "${name}" is not available to this API key`, { param: "model" }),
    );
  }
  return fail(new GatewayError("model_not_found", `model "${name}" does not exist`, { param: "model" }));
}

/** A rule matches when every condition it states holds; an empty `when` always matches. */
function matches(when: RuleCondition, input: PlanInput): boolean {
  const { promptTokens, hasTools, taskType } = input.attributes;
  if (when.task_types !== undefined && (taskType === undefined || !when.task_types.includes(taskType))) return false;
  if (when.min_prompt_tokens !== undefined && promptTokens < when.min_prompt_tokens) return false;
  if (when.max_prompt_tokens !== undefined && promptTokens > when.max_prompt_tokens) return false;
  if (when.has_tools !== undefined && hasTools !== when.has_tools) return false;
  if (when.plans !== undefined && !when.plans.includes(input.tenant.plan)) return false;
  return true;
}

type Expanded = { ok: true; attempts: PlannedAttempt[] } | { ok: false; error: GatewayError };

/**
 * The chosen alias's targets, then each fallback alias's (one level: fallbacks of fallbacks are not followed).
 * A target listed under several aliases is tried once, at its first position: retrying the same upstream model under
 * another name would only repeat the failure.
 * Targets behind an open breaker are kept but moved to the end, in order. The executor re-checks the breaker just
 * before each call and skips a target that is still refusing (it fails fast rather than hammering an upstream known to
 * be down); keeping them in the plan matters because cooldowns can expire while earlier targets are being tried, and
 * a target then gets its half-open probe instead of being silently left out.
 */
function expand(input: PlanInput, route: RouteConfig, alias: string): Expanded {
  const unsupportedByProvider = new Map<string, string[]>();
  const unsupported = (providerId: string): string[] => {
    let params = unsupportedByProvider.get(providerId);
    if (params === undefined) {
      params = input.unsupportedParams(providerId);
      unsupportedByProvider.set(providerId, params);
    }
    return params;
  };

  const seenAliases = new Set<string>();
  const seenTargets = new Set<string>();
  const attempts: PlannedAttempt[] = [];
  let firstUnsupported: string | undefined;

  for (const name of [alias, ...(route.model_fallbacks[alias] ?? [])]) {
    const model = input.policy.models[name];
    if (seenAliases.has(name) || model === undefined || model.kind !== input.kind) continue;
    seenAliases.add(name);
    // Filtering before shuffling keeps the reported parameter independent of `random`.
    const usable = model.targets.filter((target) => {
      const params = unsupported(target.provider);
      if (params.length === 0) return true;
      firstUnsupported ??= params[0];
      return false;
    });
    for (const target of orderTargets(usable, input.random)) {
      const targetKey = targetKeyOf(target.provider, target.model);
      if (seenTargets.has(targetKey)) continue;
      seenTargets.add(targetKey);
      attempts.push({ alias: name, model, providerId: target.provider, upstreamModel: target.model, targetKey });
    }
  }

  if (attempts.length === 0) {
    if (firstUnsupported === undefined) {
      return fail(new GatewayError("internal_error", `model "${input.model}" has no upstream targets`));
    }
    return fail(
      new GatewayError(
        "unsupported_parameter",
        `parameter "${firstUnsupported}" is not supported by any provider serving model "${input.model}"`,
        { param: firstUnsupported },
      ),
    );
  }

  const available: PlannedAttempt[] = [];
  const open: PlannedAttempt[] = [];
  for (const attempt of attempts) (input.isAvailable(attempt.targetKey) ? available : open).push(attempt);
  return { ok: true, attempts: [...available, ...open] };
}

function fail(error: GatewayError): { ok: false; error: GatewayError } {
  return { ok: false, error };
}
