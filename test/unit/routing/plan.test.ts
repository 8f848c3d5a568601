import { describe, expect, it } from "vitest";
import { defaultTenantSettings } from "../../../src/policy/defaults";
import type { TenantConfig } from "../../../src/policy/types";
import { type PlanAttributes, type PlanInput, type PlanResult, planRoute } from "../../../src/routing/plan";
import { model, policyOf, route, seeded, sequence } from "./helpers";

const policy = policyOf(
  [
    model("small", ["a/s1"]),
    // Tier 0 shares load 3:1; tier 1 is the last resort.
    model("big", ["a/b1:0@3", "b/b2:0@1", "c/b3:1@1"]),
    model("mid", ["b/m1"]),
    model("embed", ["a/e1"], { kind: "embeddings" }),
    model("secret", ["a/x1"]),
    // Shares its only target with "small": listed twice, tried once.
    model("small-copy", ["a/s1", "c/s2"]),
  ],
  [
    route("auto", {
      models: ["small", "big", "mid", "small-copy"],
      default_model: "small",
      rules: [
        { when: { has_tools: true }, use: "big" },
        { when: { min_prompt_tokens: 1000 }, use: "big" },
        { when: { task_types: ["code"], plans: ["pro"] }, use: "mid" },
        { when: { max_prompt_tokens: 10, task_types: ["chit-chat"] }, use: "mid" },
      ],
      model_fallbacks: { small: ["mid", "small", "big"], mid: ["small-copy"], "small-copy": ["big"] },
    }),
    route("embeddings", { models: ["embed"], default_model: "embed" }),
    route("private", { models: ["secret", "small"], default_model: "secret" }),
    // Names the same alias as "auto" but is listed after it: the alias resolves through "auto".
    route("later", { models: ["big"], default_model: "big" }),
  ],
);

const free: TenantConfig = {
  id: "t-free",
  plan: "free",
  routes: ["auto", "embeddings", "later"],
  ...defaultTenantSettings(),
};
const pro: TenantConfig = { id: "t-pro", plan: "pro", routes: ["auto", "embeddings"], ...defaultTenantSettings() };

type Overrides = Omit<Partial<PlanInput>, "attributes"> & { attributes?: Partial<PlanAttributes> };

function input(overrides: Overrides = {}): PlanInput {
  const { attributes, ...rest } = overrides;
  return {
    policy,
    tenant: free,
    model: "auto",
    kind: "chat",
    attributes: { promptTokens: 100, hasTools: false, ...attributes },
    unsupportedParams: () => [],
    isAvailable: () => true,
    random: sequence(0),
    ...rest,
  };
}

function ok(result: PlanResult) {
  if (!result.ok) throw new Error(`expected a plan, got ${result.error.code}: ${result.error.message}`);
  return result.plan;
}

function keys(result: PlanResult): string[] {
  return ok(result).attempts.map((a) => a.targetKey);
}

describe("planRoute: resolving the requested name", () => {
  describe.each<[string, Overrides, string, string, number | undefined]>([
    ["route, no rule matches -> default model", {}, "auto", "small", undefined],
    ["route, tools -> rule 0", { attributes: { hasTools: true } }, "auto", "big", 0],
    ["route, long prompt -> rule 1", { attributes: { promptTokens: 1000 } }, "auto", "big", 1],
    ["route, just under the prompt threshold", { attributes: { promptTokens: 999 } }, "auto", "small", undefined],
    ["route, task type but wrong plan", { attributes: { taskType: "code" } }, "auto", "small", undefined],
    ["route, task type and plan -> rule 2", { tenant: pro, attributes: { taskType: "code" } }, "auto", "mid", 2],
    [
      "route, first matching rule wins",
      { tenant: pro, attributes: { taskType: "code", hasTools: true } },
      "auto",
      "big",
      0,
    ],
    [
      "route, all conditions of a rule must hold",
      { attributes: { taskType: "chit-chat", promptTokens: 11 } },
      "auto",
      "small",
      undefined,
    ],
    [
      "route, max_prompt_tokens is inclusive",
      { attributes: { taskType: "chit-chat", promptTokens: 10 } },
      "auto",
      "mid",
      3,
    ],
    ["alias -> its first route", { model: "big" }, "auto", "big", undefined],
    ["alias with rules ignored", { model: "small", attributes: { hasTools: true } }, "auto", "small", undefined],
    ["embeddings alias", { model: "embed", kind: "embeddings" }, "embeddings", "embed", undefined],
    ["embeddings route", { model: "embeddings", kind: "embeddings" }, "embeddings", "embed", undefined],
  ])("%s", (_name, overrides, routeName, alias, rule) => {
    it(`uses route ${routeName}, alias ${alias}`, () => {
      const plan = ok(planRoute(input(overrides)));
      expect(plan.route.name).toBe(routeName);
      expect(plan.alias).toBe(alias);
      expect(plan.model.alias).toBe(alias);
      expect(plan.rule).toBe(rule);
    });
  });

  describe.each<[string, Overrides, string, string]>([
    ["unknown name", { model: "gpt-9" }, "model_not_found", "model"],
    ["alias only on a route the tenant lacks", { model: "secret" }, "model_not_allowed", "model"],
    ["route the tenant lacks", { model: "private" }, "model_not_allowed", "model"],
    ["route of another tenant's plan", { tenant: pro, model: "later" }, "model_not_allowed", "model"],
    ["chat alias on embeddings", { model: "small", kind: "embeddings" }, "invalid_request", "model"],
    ["embeddings alias on chat", { model: "embed", kind: "chat" }, "invalid_request", "model"],
    [
      "route resolving to a chat alias on embeddings",
      { model: "auto", kind: "embeddings" },
      "invalid_request",
      "model",
    ],
  ])("%s", (_name, overrides, code, param) => {
    it(`fails with ${code}`, () => {
      const result = planRoute(input(overrides));
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.code).toBe(code);
      expect(result.error.param).toBe(param);
    });
  });

  it("tells not-found from not-allowed without naming other tenants", () => {
    const result = planRoute(input({ model: "secret" }));
    expect(result.ok ? "" : result.error.message).not.toContain("private");
  });
});

describe("planRoute: ordering attempts", () => {
  describe.each<[string, number[], string[]]>([
    // Tier 0 weights 3:1 -> draw * 4; < 3 picks b1.
    ["low draw picks the heavy target first", [0], ["a/b1", "b/b2", "c/b3"]],
    ["draw just under the heavy share", [0.749], ["a/b1", "b/b2", "c/b3"]],
    ["draw in the light share", [0.75], ["b/b2", "a/b1", "c/b3"]],
    ["a random of 1 stays in range", [1], ["b/b2", "a/b1", "c/b3"]],
  ])("%s", (_name, draws, expected) => {
    it("orders tier by weight, tiers by priority", () => {
      expect(keys(planRoute(input({ model: "big", random: sequence(...draws) })))).toEqual(expected);
    });
  });

  it("shares first attempts by weight (seeded, deterministic)", () => {
    const random = seeded(42);
    let heavyFirst = 0;
    const runs = 4000;
    for (let i = 0; i < runs; i++) {
      if (keys(planRoute(input({ model: "big", random })))[0] === "a/b1") heavyFirst++;
    }
    expect(heavyFirst / runs).toBeGreaterThan(0.72);
    expect(heavyFirst / runs).toBeLessThan(0.78);
  });

  it("the same seed gives the same plan", () => {
    const a = keys(planRoute(input({ model: "big", random: seeded(7) })));
    const b = keys(planRoute(input({ model: "big", random: seeded(7) })));
    expect(a).toEqual(b);
  });

  it("zero-weight targets come last in their tier and never consume a draw", () => {
    const p = policyOf(
      [model("z", ["a/z0:0@0", "b/z1:0@1", "c/z2:1@1"])],
      [route("r", { models: ["z"], default_model: "z" })],
    );
    const random = sequence(0.99);
    const result = planRoute(
      input({
        policy: p,
        tenant: { id: "t", plan: "x", routes: ["r"], ...defaultTenantSettings() },
        model: "z",
        random,
      }),
    );
    expect(keys(result)).toEqual(["b/z1", "a/z0", "c/z2"]);
  });

  it("expands fallback aliases in order, each once, and tries a shared target once", () => {
    // small -> [mid, small (already expanded), big]; big's tier 0 is shuffled by the draw.
    expect(keys(planRoute(input({ random: sequence(0.9) })))).toEqual(["a/s1", "b/m1", "b/b2", "a/b1", "c/b3"]);
    const plan = ok(planRoute(input({ random: sequence(0) })));
    expect(plan.attempts.map((a) => a.alias)).toEqual(["small", "mid", "big", "big", "big"]);
    expect(plan.alias).toBe("small");
  });

  it("does not follow fallbacks of fallbacks", () => {
    // mid -> small-copy, whose own fallback (big) is not followed.
    expect(keys(planRoute(input({ tenant: pro, attributes: { taskType: "code" } })))).toEqual(["b/m1", "a/s1", "c/s2"]);
  });

  it("fills each attempt from the policy", () => {
    const [first] = ok(planRoute(input({ model: "mid" }))).attempts;
    expect(first).toEqual({
      alias: "mid",
      model: policy.models.mid,
      providerId: "b",
      upstreamModel: "m1",
      targetKey: "b/m1",
    });
  });
});

describe("planRoute: capabilities and health", () => {
  it("drops targets whose adapter cannot honour the request", () => {
    const result = planRoute(input({ model: "big", unsupportedParams: (p) => (p === "a" ? ["n"] : []) }));
    expect(keys(result)).toEqual(["b/b2", "c/b3"]);
  });

  it("asks each provider once", () => {
    const asked: string[] = [];
    planRoute(
      input({
        unsupportedParams: (p) => {
          asked.push(p);
          return [];
        },
      }),
    );
    expect(asked.sort()).toEqual(["a", "b", "c"]);
  });

  it("fails with unsupported_parameter naming the first unsupported param when nothing is left", () => {
    const result = planRoute(
      input({ model: "big", unsupportedParams: (p) => (p === "a" ? ["logprobs", "n"] : ["n"]), random: sequence(0.9) }),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe("unsupported_parameter");
    expect(result.error.param).toBe("logprobs");
    expect(result.error.message).toContain("logprobs");
  });

  it("moves targets with an open breaker to the end, keeping their order", () => {
    const open = new Set(["a/s1", "b/b2"]);
    const result = planRoute(input({ isAvailable: (k) => !open.has(k), random: sequence(0.9) }));
    expect(keys(result)).toEqual(["b/m1", "a/b1", "c/b3", "a/s1", "b/b2"]);
  });

  it("keeps every target when all breakers are open", () => {
    expect(keys(planRoute(input({ model: "big", isAvailable: () => false })))).toEqual(["a/b1", "b/b2", "c/b3"]);
  });
});
