import { describe, expect, it } from "vitest";
import { BASE, compileTexts, edit, expectCompiled } from "./helpers";
import { errorsOf } from "./tools-helpers";

/** The `telemetry` opt-in (prompt and answer text in traces): off unless a plan or tenant says so, validated at build. */

const PLAN = "plans:\n  free:\n    routes: [auto]\ntenants:\n  acme:\n    plan: free\n";

function withTelemetry(plan: string | undefined, tenant: string | undefined): Record<string, string> {
  const planLine = plan === undefined ? "" : `    telemetry: ${plan}\n`;
  const tenantLine = tenant === undefined ? "" : `    telemetry: ${tenant}\n`;
  return edit(
    "routes.yaml",
    PLAN,
    `plans:\n  free:\n    routes: [auto]\n${planLine}tenants:\n  acme:\n    plan: free\n${tenantLine}`,
  );
}

describe("telemetry content opt-in", () => {
  it("is absent by default (no text in traces)", () => {
    expect(expectCompiled(compileTexts(BASE)).tenants.acme?.telemetry).toBeUndefined();
  });

  describe.each([
    {
      plan: "{ capture_content: true }",
      tenant: undefined,
      expected: { capture_content: true, max_content_chars: 4096 },
    },
    {
      plan: "{ capture_content: true, max_content_chars: 128 }",
      tenant: undefined,
      expected: { capture_content: true, max_content_chars: 128 },
    },
    { plan: "{ capture_content: true }", tenant: "{ capture_content: false }", expected: undefined },
    {
      plan: "{ max_content_chars: 256 }",
      tenant: "{ capture_content: true }",
      expected: { capture_content: true, max_content_chars: 256 },
    },
    { plan: "{ capture_content: false }", tenant: undefined, expected: undefined },
  ])("plan $plan, tenant $tenant", ({ plan, tenant, expected }) => {
    it(`compiles to ${JSON.stringify(expected)}`, () => {
      expect(expectCompiled(compileTexts(withTelemetry(plan, tenant))).tenants.acme?.telemetry).toEqual(expected);
    });
  });

  it.each([
    ["{ capture_content: yes please }", "plans.free.telemetry.capture_content", /must be true or false/],
    ["{ capture_content: true, max_content_chars: 10 }", "plans.free.telemetry.max_content_chars", /at least 64/],
    ["{ capture_content: true, max_content_chars: 100000 }", "plans.free.telemetry.max_content_chars", /at most 65536/],
    ["{ capture_content: true, max_content_chars: 1.5 }", "plans.free.telemetry.max_content_chars", /integer/],
    ["{ capture_prompts: true }", "plans.free.telemetry", /capture_prompts/],
  ])("refuses %s at build, naming the file and the path", (value, path, message) => {
    const errors = errorsOf(withTelemetry(value, undefined));
    const match = errors.find((e) => e.path.startsWith(path));
    expect(match, JSON.stringify(errors, null, 2)).toBeDefined();
    expect(match?.message).toMatch(message);
    expect(match?.file).toBe("policies/routes.yaml");
  });
});
