import { describe, expect, it } from "vitest";
import { compilePolicy, policyVersion } from "../../../src/policy/compile";
import { BASE, compileTexts, edit, expectCompiled, readArtifactDir, readPolicyDir, sha256 } from "./helpers";

describe("shipped policy sets compile", () => {
  it.each(["policies", "test/fixtures/policies"])("%s", (dir) => {
    const files = readPolicyDir(dir);
    expect(files.length).toBeGreaterThan(0);
    const artifacts = readArtifactDir(dir);
    const policy = expectCompiled(compilePolicy(files, sha256, artifacts));
    expect(policy.version).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(policy.sources).toEqual([...files.map((f) => f.name).sort(), ...artifacts.map((a) => a.name)]);
  });

  it("the examples define what the README promises", () => {
    const policy = expectCompiled(compilePolicy(readPolicyDir("policies"), sha256, readArtifactDir("policies")));
    expect(policy.providers["local-origin"]).toMatchObject({ type: "vllm", base_url: `\${LOCAL_ORIGIN_URL}` });
    expect(Object.keys(policy.providers)).toEqual(expect.arrayContaining(["openai", "anthropic", "gemini", "groq"]));
    expect(policy.models.embed?.kind).toBe("embeddings");
    expect(policy.models.small?.pricing).not.toBeNull();
    expect(policy.routes.auto?.default_model).toBe("small");
    expect(policy.routes.auto?.model_fallbacks).toEqual({ small: ["small-hosted", "large"] });
    expect(policy.routes.auto?.tiers).toEqual({ cheap: "small", premium: ["large"] });
    expect(policy.routes.auto?.premium_cap).toMatchObject({ max_share: 0.15, per: "tenant" });
    expect(policy.providers["local-origin"]?.load).toMatchObject({
      metrics: { url: "/metrics", interval_ms: 1000 },
      spill_at: { waiting: 1, kv_cache_usage: 0.9 },
      resume_at: { kv_cache_usage: 0.75 },
    });
    expect(policy.tenants.acme).toEqual({
      id: "acme",
      plan: "pro",
      routes: ["auto", "hosted"],
      limits: {
        key: { requests_per_minute: 600, tokens_per_minute: 2000000 },
        tenant: { requests_per_minute: 6000, tokens_per_minute: 20000000 },
      },
      task_budget: {
        max_calls: 500,
        max_tokens: 5000000,
        max_cost: 50000000,
        max_tool_calls: 1000,
        max_identical_calls: 10,
        ttl_s: 7200,
      },
      credits: {
        hold_ttl_s: 900,
        min_output_tokens: 16,
        idempotency_ttl_s: 86400,
        overlap_admission: false,
        ledger_shards: 1,
      },
      tools: ["local_search"],
      tool_loop: { max_turns: 4, max_tool_calls: 8, max_wall_ms: 60000 },
      cache: {},
    });
    expect(policy.routes.auto?.cache).toMatchObject({
      mode: "shadow",
      semantic: true,
      embedder: { kind: "model", model: "embed" },
    });
    expect(policy.tools.get_weather?.implementation).toMatchObject({
      allowed_hosts: ["weather.example.com"],
      allowed_ports: [443],
      body: "none",
    });
    // The weather example cannot work locally, so no tenant may be given it; the local origin's demo search can.
    expect(Object.values(policy.tenants).flatMap((t) => t.tools)).toEqual(["local_search"]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the policy's placeholder syntax, kept verbatim.
    expect(policy.tools.local_search?.implementation.allowed_hosts).toEqual(["${LOCAL_ORIGIN_HOST}"]);
    expect(policy.tenants.demo?.limits.key).toEqual({ requests_per_minute: 60, tokens_per_minute: 100000 });
    expect(policy.tenants.demo?.routes).toEqual(["auto"]);
  });

  it("the fixtures carry the fault steering the integration tests rely on", () => {
    const policy = expectCompiled(
      compilePolicy(readPolicyDir("test/fixtures/policies"), sha256, readArtifactDir("test/fixtures/policies")),
    );
    expect(policy.providers["fake-down"]?.headers).toEqual({ "x-fake-status": "503" });
    expect(policy.models["m-fallback"]?.targets.map((t) => [t.provider, t.priority])).toEqual([
      ["fake-down", 0],
      ["fake-openai", 1],
    ]);
    expect(policy.models["m-unpriced"]?.pricing).toBeNull();
    expect(policy.routes.test?.timeouts).toEqual({ attempt_ms: 1000, deadline_ms: 5000 });
    expect(policy.tenants["t-main"]?.routes).toEqual(["auto", "test", "cloud"]);
    expect(policy.tenants["t-restricted"]?.routes).toEqual(["restricted"]);
    expect(policy.tenants["t-tools"]?.tools).toEqual([
      "get_weather",
      "echo_post",
      "redirect_probe",
      "big_response",
      "slow",
      "tagged_only",
    ]);
    expect(policy.tenants["t-tools"]?.task_budget?.max_tool_calls).toBe(6);
    expect(policy.tools.get_weather?.implementation.allowed_hosts).toEqual([`\${TOOL_TARGET_HOST}`]);
    expect(policy.routes.cached?.cache).toMatchObject({ mode: "on", exact: true, semantic: true });
    expect(policy.routes["cached-shadow"]?.cache.mode).toBe("shadow");
    expect(policy.tenants["t-cache-priced"]?.cache).toEqual({ hit_price_ppm: 500000, threshold: 0.98 });
  });
});

describe("compiled shape: every default filled in", () => {
  const policy = expectCompiled(compileTexts(BASE));

  it("fills route defaults", () => {
    expect(policy.routes.auto).toEqual({
      name: "auto",
      models: ["small", "large", "embed"],
      default_model: "small",
      rules: [{ when: { min_prompt_tokens: 2000 }, use: "large" }],
      model_fallbacks: { small: ["large"] },
      fallback_on: { statuses: [408, 409, 429, 500, 502, 503, 504], timeout: true, connection_error: true },
      retry: { max_retries: 1, base_backoff_ms: 100, max_backoff_ms: 2000 },
      timeouts: { attempt_ms: 1000, deadline_ms: 5000 },
      circuit_breaker: { failure_threshold: 5, cooldown_ms: 30000 },
      cache: {
        mode: "off",
        exact: true,
        semantic: false,
        ttl_s: 86400,
        max_entries: 10000,
        hit_price_ppm: 0,
        max_temperature: 1,
        cache_tool_calls: false,
      },
    });
  });

  it("fills model defaults: kind, priority = list index, weight, output ceiling, unpriced = null", () => {
    expect(policy.models.small).toEqual({
      alias: "small",
      kind: "chat",
      targets: [{ provider: "local", model: "local-small", priority: 0, weight: 1 }],
      context_window: 8192,
      max_output_tokens: 1024,
      pricing: { input_per_mtok: 100, output_per_mtok: 200 },
    });
    expect(policy.models.large?.max_output_tokens).toBe(128000);
    expect(policy.models.embed).toMatchObject({ kind: "embeddings", max_output_tokens: 0, pricing: null });
  });

  it("keeps `price: null` as unpriced", () => {
    const files = edit(
      "models.yaml",
      "    price:\n      input_per_mtok: 100\n      output_per_mtok: 200\n",
      "    price: null\n",
    );
    expect(expectCompiled(compileTexts(files)).models.small?.pricing).toBeNull();
  });

  it("numbers targets by position unless a priority is given", () => {
    const files = edit(
      "models.yaml",
      "      - provider: openai\n        model: gpt-4o\n",
      "      - provider: openai\n        model: gpt-4o\n      - provider: local\n        model: a\n        weight: 3\n" +
        "      - provider: local\n        model: b\n        priority: 1\n",
    );
    const targets = expectCompiled(compileTexts(files)).models.large?.targets;
    expect(targets?.map((t) => [t.model, t.priority, t.weight])).toEqual([
      ["gpt-4o", 0, 1],
      ["a", 1, 3],
      ["b", 1, 1],
    ]);
  });

  it("lower-cases header names and drops a trailing slash from base_url", () => {
    const files = edit(
      "providers.yaml",
      `    base_url: "\${LOCAL_URL}"\n`,
      `    base_url: "https://gpu.example.com/v1/"\n    auth_header: X-Api-Key\n    headers:\n      X-Team: "\${TEAM}"\n`,
    );
    expect(expectCompiled(compileTexts(files)).providers.local).toEqual({
      id: "local",
      type: "vllm",
      base_url: "https://gpu.example.com/v1",
      auth_header: "x-api-key",
      headers: { "x-team": `\${TEAM}` },
    });
  });

  it("puts a tenant's own routes before its plan's, without repeats", () => {
    const files = edit(
      "routes.yaml",
      "plans:",
      "  extra:\n    models: [large]\nplans:\n  both:\n    routes: [auto, extra]\n",
    );
    const withTenant = edit(
      "routes.yaml",
      "  acme:\n    plan: free\n",
      "  acme:\n    plan: both\n    routes: [extra]\n",
      files,
    );
    expect(expectCompiled(compileTexts(withTenant)).tenants.acme?.routes).toEqual(["extra", "auto"]);
  });

  it("accepts an empty file, a null section and YAML merge keys", () => {
    const files = {
      ...BASE,
      "empty.yaml": "# nothing yet\n",
      "nulls.yaml": "tenants:\n",
      "merge.yaml":
        "routes:\n  a:\n    models: [small]\n    retry: &fast { max_retries: 0 }\n  b:\n    models: [large]\n    retry: { <<: *fast, base_backoff_ms: 5 }\n",
    };
    const policy = expectCompiled(compileTexts(files));
    expect(policy.routes.b?.retry).toEqual({ max_retries: 0, base_backoff_ms: 5, max_backoff_ms: 2000 });
  });
});

describe("policy version", () => {
  const files = Object.entries(BASE).map(([name, text]) => ({ name: `policies/${name}`, text }));

  it("does not depend on the order files are given in", () => {
    const forward = expectCompiled(compilePolicy(files, sha256));
    const backward = expectCompiled(compilePolicy([...files].reverse(), sha256));
    expect(backward.version).toBe(forward.version);
    expect(backward).toEqual(forward);
  });

  it("changes when any content changes, even a comment", () => {
    const before = policyVersion(files, sha256);
    const changed = files.map((f, i) => (i === 0 ? { ...f, text: `${f.text}# note\n` } : f));
    expect(policyVersion(changed, sha256)).not.toBe(before);
  });

  it("changes when a file is renamed", () => {
    const renamed = files.map((f, i) => (i === 0 ? { ...f, name: "policies/other.yaml" } : f));
    expect(policyVersion(renamed, sha256)).not.toBe(policyVersion(files, sha256));
  });

  it("is sha256: and the first 16 hex digits of the digest", () => {
    expect(policyVersion(files, () => "ABCDEF0123456789ffff")).toBe("sha256:abcdef0123456789");
  });
});
