import { describe, expect, it } from "vitest";
import { formatPolicyError } from "../../../src/policy/compile";
import { BASE, compileTexts, edit, expectCompiled } from "./helpers";

/** The policy build validates tiers, cascade, premium_cap, degrade and origin `load` (file, path, problem). */

const ROUTE_TAIL = "    timeouts:\n      attempt_ms: 1000\n      deadline_ms: 5000\n";
const withRoute = (extra: string) => edit("routes.yaml", ROUTE_TAIL, `${ROUTE_TAIL}${extra}`);
const withLoad = (load: string, base: Record<string, string> = BASE) =>
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the placeholder as written in YAML
  edit("providers.yaml", '    base_url: "${LOCAL_URL}"\n', `    base_url: "\${LOCAL_URL}"\n    load:\n${load}`, base);

function problems(files: Record<string, string>): string[] {
  const result = compileTexts(files);
  if (result.ok) throw new Error("expected the policy to be refused");
  return result.errors.map(formatPolicyError);
}

describe("routing runtime policy: valid", () => {
  it("compiles tiers, cascade, premium cap, degrade and load with their defaults", () => {
    const files = {
      ...withRoute(
        "    tiers: { cheap: small, premium: [large] }\n" +
          "    cascade: { logprobs: { min_below: 0.05 }, checks: { refusal: false } }\n" +
          "    premium_cap: { max_share: 0.15 }\n" +
          "    degrade: {}\n",
      ),
    };
    const loadFiles = withLoad("      metrics: {}\n      spill_at: { waiting: 1 }\n      resume_at: {}\n", files);
    const policy = expectCompiled(compileTexts(loadFiles));
    const route = policy.routes.auto;
    expect(route?.tiers).toEqual({ cheap: "small", premium: ["large"] });
    expect(route?.cascade).toEqual({
      enabled: true,
      escalate_below: 0.72,
      logprobs: { min_below: 0.05 },
      checks: { empty: true, refusal: false, length: true, json: true },
      min_remaining_ms: 1000,
    });
    expect(route?.premium_cap).toEqual({
      max_share: 0.15,
      window_s: 600,
      per: "tenant",
      min_requests: 20,
      keep_above: 0.9,
    });
    expect(route?.degrade).toEqual({ balance: true, deadline: true });
    expect(policy.providers.local?.load).toEqual({
      metrics: { url: "/metrics", interval_ms: 1000, timeout_ms: 500 },
      stale_ms: 5000,
      ttft_half_life_ms: 10_000,
      spill_at: { waiting: 1 },
      resume_at: {},
    });
  });

  it("a route without these options compiles without them", () => {
    const policy = expectCompiled(compileTexts(withRoute("")));
    expect(policy.routes.auto?.cascade).toBeUndefined();
    expect(policy.providers.local?.load).toBeUndefined();
  });
});

describe("routing runtime policy: refused", () => {
  describe.each<[string, Record<string, string>, RegExp]>([
    ["cascade without tiers", withRoute("    cascade: {}\n"), /routes\.auto\.cascade: needs `tiers`/],
    [
      "premium cap without tiers",
      withRoute("    premium_cap: { max_share: 0.1 }\n"),
      /routes\.auto\.premium_cap: needs `tiers`/,
    ],
    [
      "a tier outside the route",
      withRoute("    tiers: { cheap: small, premium: [huge] }\n"),
      /routes\.auto\.tiers\.premium\[0\]: "huge" is not in this route's models/,
    ],
    [
      "cheap listed as premium",
      withRoute("    tiers: { cheap: small, premium: [small] }\n"),
      /routes\.auto\.tiers\.premium\[0\]: "small" is also the cheap tier/,
    ],
    [
      "share above 1",
      withRoute("    tiers: { cheap: small, premium: [large] }\n    premium_cap: { max_share: 1.5 }\n"),
      /routes\.auto\.premium_cap\.max_share: must be between 0 and 1/,
    ],
    [
      "a threshold above 1",
      withRoute("    tiers: { cheap: small, premium: [large] }\n    cascade: { escalate_below: 72 }\n"),
      /routes\.auto\.cascade\.escalate_below: must be between 0 and 1/,
    ],
    [
      "an option the cascade does not have",
      withRoute("    tiers: { cheap: small, premium: [large] }\n    cascade: { max_buffer_bytes: 10 }\n"),
      /routes\.auto\.cascade\.max_buffer_bytes: unknown key/,
    ],
    [
      "load without levels",
      withLoad("      spill_at: {}\n"),
      /providers\.local\.load\.spill_at: needs at least one level/,
    ],
    [
      "resume at or above spill (no hysteresis gap)",
      withLoad("      spill_at: { kv_cache_usage: 0.8 }\n      resume_at: { kv_cache_usage: 0.8 }\n"),
      /providers\.local\.load\.resume_at\.kv_cache_usage: is 0\.8, not below spill_at\.kv_cache_usage \(0\.8\)/,
    ],
    [
      "resume for a gauge that never spills",
      withLoad("      spill_at: { waiting: 2 }\n      resume_at: { running: 1 }\n"),
      /providers\.local\.load\.resume_at\.running: has no `spill_at` level/,
    ],
    [
      "load on a hosted provider",
      edit("providers.yaml", "    type: openai\n", "    type: openai\n    load: { spill_at: { waiting: 1 } }\n"),
      /providers\.openai\.load: only applies to self-hosted origins/,
    ],
  ])("%s", (_name, files, message) => {
    it("is refused with file, path and problem", () => {
      const all = problems(files);
      expect(all.some((p) => message.test(p))).toBe(true);
    });
  });
});
