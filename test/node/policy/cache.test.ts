import { describe, expect, it } from "vitest";
import { formatPolicyError } from "../../../src/policy/compile";
import { DEFAULT_CACHE } from "../../../src/policy/defaults";
import { BASE, compileTexts, edit, expectCompiled } from "./helpers";
import { errorsOf, type InvalidCase } from "./tools-helpers";

const ROUTES = "policies/routes.yaml";
const TIMEOUTS = "    timeouts:\n      attempt_ms: 1000\n";

/** BASE with a cache block on route `auto` (inserted before its timeouts). */
const withRouteCache = (block: string, base = BASE) => edit("routes.yaml", TIMEOUTS, `${block}${TIMEOUTS}`, base);

const SEMANTIC = "    cache:\n      mode: on\n      semantic: true\n      embedder: { model: embed }\n";

describe("route caches compile to their runtime shape", () => {
  it("a route without a cache block gets the defaults (off)", () => {
    const policy = expectCompiled(compileTexts(BASE));
    expect(policy.routes.auto?.cache).toEqual(DEFAULT_CACHE);
    expect(DEFAULT_CACHE).toMatchObject({ mode: "off", exact: true, semantic: false, max_temperature: 1 });
    expect(policy.tenants.acme?.cache).toEqual({});
  });

  it("an embeddings alias becomes a model embedder; given fields are kept", () => {
    const block =
      "    cache:\n      mode: shadow\n      semantic: true\n      threshold: 0.9\n      hit_price_ppm: 250000\n" +
      "      max_temperature: 0.5\n      cache_tool_calls: true\n      embedder: { model: embed }\n";
    const policy = expectCompiled(compileTexts(withRouteCache(block)));
    expect(policy.routes.auto?.cache).toEqual({
      mode: "shadow",
      exact: true,
      semantic: true,
      threshold: 0.9,
      ttl_s: 86400,
      max_entries: 10000,
      hit_price_ppm: 250000,
      max_temperature: 0.5,
      cache_tool_calls: true,
      embedder: { kind: "model", model: "embed" },
    });
  });

  it("a Workers AI embedder gets the AI binding by default", () => {
    const block = '    cache:\n      semantic: true\n      embedder: { workers_ai: "@cf/baai/bge-base-en-v1.5" }\n';
    const policy = expectCompiled(compileTexts(withRouteCache(block)));
    expect(policy.routes.auto?.cache.embedder).toEqual({
      kind: "workers-ai",
      model: "@cf/baai/bge-base-en-v1.5",
      binding: "AI",
    });
  });

  it("tenant overrides are tenant fields over plan fields, only the fields given", () => {
    const files = edit(
      "routes.yaml",
      "plans:\n  free:\n    routes: [auto]\ntenants:\n  acme:\n    plan: free\n",
      "plans:\n  free:\n    routes: [auto]\n    cache: { hit_price_ppm: 100000, ttl_s: 600 }\n" +
        "tenants:\n  acme:\n    plan: free\n    cache:\n      hit_price_ppm: 0\n      semantic: true\n" +
        '      embedder: { workers_ai: "@cf/baai/bge-small-en-v1.5", binding: EMBED_AI }\n',
    );
    const policy = expectCompiled(compileTexts(files));
    expect(policy.tenants.acme?.cache).toEqual({
      hit_price_ppm: 0,
      ttl_s: 600,
      semantic: true,
      embedder: { kind: "workers-ai", model: "@cf/baai/bge-small-en-v1.5", binding: "EMBED_AI" },
    });
  });

  it("a tenant may turn semantic on without an embedder of its own when every route has one", () => {
    const files = edit(
      "routes.yaml",
      "    plan: free\n",
      "    plan: free\n    cache: { semantic: true }\n",
      withRouteCache(SEMANTIC),
    );
    expect(expectCompiled(compileTexts(files)).tenants.acme?.cache).toEqual({ semantic: true });
  });
});

const cases: Record<string, InvalidCase> = {
  "semantic route without an embedder": {
    files: withRouteCache("    cache:\n      semantic: true\n"),
    file: ROUTES,
    path: "routes.auto.cache.semantic",
    message: /needs an embedder/,
  },
  "threshold of 0": {
    files: withRouteCache(`${SEMANTIC}      threshold: 0\n`),
    file: ROUTES,
    path: "routes.auto.cache.threshold",
    message: /must be above 0 and at most 1/,
  },
  "threshold above 1": {
    files: withRouteCache(`${SEMANTIC}      threshold: 1.5\n`),
    file: ROUTES,
    path: "routes.auto.cache.threshold",
    message: /must be above 0 and at most 1/,
  },
  "hit price above 1000000 ppm": {
    files: withRouteCache("    cache:\n      hit_price_ppm: 1000001\n"),
    file: ROUTES,
    path: "routes.auto.cache.hit_price_ppm",
    message: /between 0 and 1000000/,
  },
  "fractional hit price": {
    files: withRouteCache("    cache:\n      hit_price_ppm: 0.5\n"),
    file: ROUTES,
    path: "routes.auto.cache.hit_price_ppm",
    message: /whole number/,
  },
  "unknown mode": {
    files: withRouteCache("    cache:\n      mode: yes-please\n"),
    file: ROUTES,
    path: "routes.auto.cache.mode",
    message: /must be one of "off", "shadow", "on"/,
  },
  "embedder alias that does not exist": {
    files: withRouteCache(SEMANTIC.replace("model: embed", "model: embd")),
    file: ROUTES,
    path: "routes.auto.cache.embedder.model",
    message: /unknown model "embd" \(known: embed, large, small\); did you mean "embed"\?/,
  },
  "embedder alias that is a chat model": {
    files: withRouteCache(SEMANTIC.replace("model: embed", "model: small")),
    file: ROUTES,
    path: "routes.auto.cache.embedder.model",
    message: /"small" is a chat model; an embedder must be an embeddings model \(embeddings models: embed\)/,
  },
  "embedder with both model and workers_ai": {
    files: withRouteCache(
      SEMANTIC.replace("{ model: embed }", '{ model: embed, workers_ai: "@cf/baai/bge-base-en-v1.5" }'),
    ),
    file: ROUTES,
    path: "routes.auto.cache.embedder",
    message: /needs exactly one of `model`.*or `workers_ai`/,
  },
  "Workers AI model name without @cf/": {
    files: withRouteCache(SEMANTIC.replace("{ model: embed }", '{ workers_ai: "bge-base-en-v1.5" }')),
    file: ROUTES,
    path: "routes.auto.cache.embedder.workers_ai",
    message: /must be a Workers AI model name/,
  },
  "binding without workers_ai": {
    files: withRouteCache(SEMANTIC.replace("{ model: embed }", "{ model: embed, binding: AI }")),
    file: ROUTES,
    path: "routes.auto.cache.embedder.binding",
    message: /only applies with `workers_ai`/,
  },
  "tenant turns semantic on; a route has no embedder": {
    files: edit("routes.yaml", "    plan: free\n", "    plan: free\n    cache:\n      semantic: true\n"),
    file: ROUTES,
    path: "tenants.acme.cache.semantic",
    message: /cache\.semantic is on, but route "auto" has no embedder; set cache\.embedder/,
  },
  "plan turns semantic on; reported on its tenants": {
    files: edit(
      "routes.yaml",
      "    routes: [auto]\ntenants:",
      "    routes: [auto]\n    cache: { semantic: true }\ntenants:",
    ),
    file: ROUTES,
    path: "tenants.acme",
    message: /cache\.semantic is on \(from plan "free"\), but route "auto" has no embedder/,
  },
  "tenant embedder alias that is a chat model": {
    files: edit("routes.yaml", "    plan: free\n", "    plan: free\n    cache: { embedder: { model: large } }\n"),
    file: ROUTES,
    path: "tenants.acme.cache.embedder.model",
    message: /"large" is a chat model/,
  },
  "unknown cache key (typo)": {
    files: withRouteCache("    cache:\n      tll_s: 60\n"),
    file: ROUTES,
    path: "routes.auto.cache.tll_s",
    message: /unknown key "tll_s" \(did you mean "ttl_s"\?\)/,
  },
};

describe("invalid cache policies are refused with file:path: problem", () => {
  it.each(Object.entries(cases))("%s", (_name, c) => {
    const errors = errorsOf(c.files);
    const match = errors.find((e) => e.file === c.file && e.path === c.path && c.message.test(e.message));
    expect(match, `got:\n${errors.map(formatPolicyError).join("\n")}`).toBeDefined();
    expect(match?.line).toBeGreaterThan(0);
  });
});
