import { describe, expect, it } from "vitest";
import { formatPolicyError, type PolicyError } from "../../../src/policy/compile";
import { BASE, compileTexts, edit } from "./helpers";

function errorsOf(files: Record<string, string>): PolicyError[] {
  const result = compileTexts(files);
  if (result.ok) throw new Error("expected the policy to be refused");
  return result.errors;
}

interface Case {
  files: Record<string, string>;
  file: string;
  path: string;
  message: RegExp;
  line?: number;
}

/** The tenant `acme` with a batch webhook (the lines under `batch_webhook:`). */
const WEBHOOK = (lines: string) =>
  edit("routes.yaml", "    plan: free\n", `    plan: free\n    batch_webhook:\n${lines}`);

const cases: Record<string, Case> = {
  "unknown key (typo)": {
    files: edit("models.yaml", "        model: local-small\n", "        model: local-small\n        priorty: 1\n"),
    file: "policies/models.yaml",
    path: "models.small.targets[0].priorty",
    message: /unknown key "priorty" \(did you mean "priority"\?\)/,
    line: 6,
  },
  "unknown section": {
    files: { ...BASE, "credits.yaml": "credit:\n  x: 1\n" },
    file: "policies/credits.yaml",
    path: "credit",
    message: /unknown section "credit".*allowed: providers, models, routes, plans, tenants/,
    line: 1,
  },
  "unknown provider reference": {
    files: edit("models.yaml", "provider: openai", "provider: opnai"),
    file: "policies/models.yaml",
    path: "models.large.targets[0].provider",
    message: /^unknown provider "opnai" \(known: local, openai\); did you mean "openai"\?$/,
    line: 13,
  },
  "negative price": {
    files: edit("models.yaml", "input_per_mtok: 100\n", "input_per_mtok: -100\n"),
    file: "policies/models.yaml",
    path: "models.small.price.input_per_mtok",
    message: /must not be negative/,
  },
  "fractional price": {
    files: edit("models.yaml", "output_per_mtok: 200", "output_per_mtok: 0.5"),
    file: "policies/models.yaml",
    path: "models.small.price.output_per_mtok",
    message: /must be a whole number, not 0\.5/,
    line: 10,
  },
  "quoted number": {
    files: edit("models.yaml", "context_window: 8192\n    max", 'context_window: "8192"\n    max'),
    file: "policies/models.yaml",
    path: "models.small.context_window",
    message: /remove the quotes/,
  },
  "duplicate id across files": {
    files: {
      ...BASE,
      "more.yaml": "models:\n  small:\n    targets: [{ provider: local, model: x }]\n    context_window: 10\n",
    },
    file: "policies/more.yaml",
    path: "models.small",
    message: /"small" is already defined in policies\/models\.yaml:2/,
    line: 2,
  },
  "rule without a condition": {
    files: edit("routes.yaml", "      - when:\n          min_prompt_tokens: 2000\n", "      - when: {}\n"),
    file: "policies/routes.yaml",
    path: "routes.auto.rules[0].when",
    message: /needs at least one condition/,
  },
  "deadline below attempt timeout": {
    files: edit("routes.yaml", "deadline_ms: 5000", "deadline_ms: 500"),
    file: "policies/routes.yaml",
    path: "routes.auto.timeouts.deadline_ms",
    message: /is 500, below attempt_ms 1000/,
    line: 12,
  },
  "route named like a model alias": {
    files: edit("routes.yaml", "plans:", "  large:\n    models: [small]\nplans:"),
    file: "policies/routes.yaml",
    path: "routes.large",
    message: /"large" is also a model alias \(policies\/models\.yaml:11\)/,
  },
  "max_output_tokens above context_window": {
    files: edit("models.yaml", "max_output_tokens: 1024", "max_output_tokens: 9000"),
    file: "policies/models.yaml",
    path: "models.small.max_output_tokens",
    message: /is 9000, above context_window 8192/,
  },
  "origin without base_url": {
    files: edit("providers.yaml", `    base_url: "\${LOCAL_URL}"\n`, ""),
    file: "policies/providers.yaml",
    path: "providers.local.base_url",
    message: /is required for type "vllm"/,
  },
  "unknown provider type": {
    files: edit("providers.yaml", "type: openai", "type: open-ai"),
    file: "policies/providers.yaml",
    path: "providers.openai.type",
    message: /must be one of "openai", .*"gemini", not the string "open-ai"/,
  },
  "credentials in base_url": {
    files: edit("providers.yaml", `"\${LOCAL_URL}"`, '"https://user:pw@gpu.example.com/v1"'),
    file: "policies/providers.yaml",
    path: "providers.local.base_url",
    message: /must not contain credentials/,
  },
  "malformed placeholder": {
    files: edit("providers.yaml", `"\${LOCAL_URL}"`, `"\${local_url}/v1"`),
    file: "policies/providers.yaml",
    path: "providers.local.base_url",
    message: /malformed placeholder/,
  },
  "unquoted header value": {
    files: edit("providers.yaml", "    type: openai\n", "    type: openai\n    headers:\n      x-fake-status: 503\n"),
    file: "policies/providers.yaml",
    path: "providers.openai.headers.x-fake-status",
    message: /quote numbers/,
  },
  "lower-case secret name": {
    files: edit("providers.yaml", "    type: openai\n", "    type: openai\n    api_key_secret: openai_key\n"),
    file: "policies/providers.yaml",
    path: "providers.openai.api_key_secret",
    message: /upper-case/,
  },
  "invalid id": {
    files: edit("routes.yaml", "  acme:", "  Acme Corp:"),
    file: "policies/routes.yaml",
    path: 'tenants["Acme Corp"]',
    message: /invalid id "Acme Corp"/,
  },
  "model with no targets": {
    files: edit("models.yaml", "    targets:\n      - provider: openai\n        model: gpt-4o\n", "    targets: []\n"),
    file: "policies/models.yaml",
    path: "models.large.targets",
    message: /at least one target/,
  },
  "route lists an unknown model": {
    files: edit("routes.yaml", "[small, large, embed]", "[small, large, embed, huge]"),
    file: "policies/routes.yaml",
    path: "routes.auto.models[3]",
    message: /unknown model "huge" \(known: embed, large, small\)/,
  },
  "rule uses a model outside the route": {
    files: edit("routes.yaml", "[small, large, embed]", "[small, embed]"),
    file: "policies/routes.yaml",
    path: "routes.auto.rules[0].use",
    message: /"large" is not in this route's models/,
  },
  "rule picks an embeddings model": {
    files: edit("routes.yaml", "        use: large", "        use: embed"),
    file: "policies/routes.yaml",
    path: "routes.auto.rules[0].use",
    message: /"embed" is an embeddings model/,
  },
  "default model is an embeddings model": {
    files: edit("routes.yaml", "[small, large, embed]", "[embed, small, large]"),
    file: "policies/routes.yaml",
    path: "routes.auto.models[0]",
    message: /default model "embed" is an embeddings model/,
  },
  "fallback to itself": {
    files: edit("routes.yaml", "small: [large]", "small: [small]"),
    file: "policies/routes.yaml",
    path: "routes.auto.model_fallbacks.small[0]",
    message: /cannot fall back to itself/,
  },
  "fallback of another kind": {
    files: edit("routes.yaml", "small: [large]", "small: [embed]"),
    file: "policies/routes.yaml",
    path: "routes.auto.model_fallbacks.small[0]",
    message: /cannot stand in for the chat model "small"/,
  },
  "tenant on an unknown plan": {
    files: edit("routes.yaml", "plan: free", "plan: fre"),
    file: "policies/routes.yaml",
    path: "tenants.acme.plan",
    message: /unknown plan "fre" \(known: free\); did you mean "free"\?/,
  },
  "plan with an unknown route": {
    files: edit("routes.yaml", "routes: [auto]", "routes: [auto, premium]"),
    file: "policies/routes.yaml",
    path: "plans.free.routes[1]",
    message: /unknown route "premium"/,
  },
  "retries out of range": {
    files: edit("routes.yaml", "    timeouts:\n", "    retry: { max_retries: 9 }\n    timeouts:\n"),
    file: "policies/routes.yaml",
    path: "routes.auto.retry.max_retries",
    message: /between 0 and 5/,
  },
  "YAML syntax error": {
    files: { ...BASE, "broken.yaml": "models:\n  small: [\n" },
    file: "policies/broken.yaml",
    path: "",
    message: /^invalid YAML: /,
  },
  "duplicate key in one file": {
    files: edit("routes.yaml", "plans:", "plans:\n  free:\n    routes: [auto]"),
    file: "policies/routes.yaml",
    path: "",
    message: /invalid YAML: Map keys must be unique/,
  },
  "batch via provider on a provider type without a batch API": {
    files: edit(
      "routes.yaml",
      "    models: [small, large, embed]\n",
      "    models: [small, large, embed]\n    batch: { via: provider }\n",
    ),
    file: "policies/routes.yaml",
    path: "routes.auto.batch.via",
    message: /provider "local" of type "vllm", which has no batch API of its own; use via: gateway/,
  },
  "batch webhook allowlisting loopback without a port": {
    files: WEBHOOK(
      "      url: http://127.0.0.1:9000/hook\n      allowed_hosts: [127.0.0.1]\n      secret: HOOK_SECRET\n",
    ),
    file: "policies/routes.yaml",
    path: "tenants.acme.batch_webhook.allowed_hosts[0]",
    message: /special address \(loopback\).*exact port/,
  },
  "batch webhook allowlisting a cloud-metadata address": {
    files: WEBHOOK(
      '      url: http://169.254.169.254/x\n      allowed_hosts: ["169.254.169.254:80"]\n      secret: HOOK_SECRET\n',
    ),
    file: "policies/routes.yaml",
    path: "tenants.acme.batch_webhook.allowed_hosts[0]",
    message: /cloud-metadata/,
  },
  "batch webhook whose URL host is not allowlisted": {
    files: WEBHOOK(
      "      url: https://hooks.example.com/b\n      allowed_hosts: [other.example.com]\n      secret: HOOK_SECRET\n",
    ),
    file: "policies/routes.yaml",
    path: "tenants.acme.batch_webhook.allowed_hosts",
    message: /does not include "hooks\.example\.com:443"/,
  },
  "batch webhook secret that is not a secret name": {
    files: WEBHOOK(
      "      url: https://hooks.example.com/b\n      allowed_hosts: [hooks.example.com]\n      secret: whsec_abc\n",
    ),
    file: "policies/routes.yaml",
    path: "tenants.acme.batch_webhook.secret",
    message: /must be a Worker secret name/,
  },
  "file that is not a map": {
    files: { ...BASE, "list.yaml": "- providers\n" },
    file: "policies/list.yaml",
    path: "",
    message: /must be a map of sections/,
  },
};

describe("invalid policies are refused with the file, the exact path and the problem", () => {
  it.each(Object.entries(cases))("%s", (_name, c) => {
    const errors = errorsOf(c.files);
    const match = errors.find((e) => e.file === c.file && e.path === c.path && c.message.test(e.message));
    expect(match, `got:\n${errors.map(formatPolicyError).join("\n")}`).toBeDefined();
    if (c.line !== undefined) expect(match?.line).toBe(c.line);
    const formatted = formatPolicyError(match as PolicyError);
    expect(formatted.startsWith(c.file)).toBe(true);
    if (c.path !== "") expect(formatted).toContain(`: ${c.path}: `);
  });
});

describe("batch.via: provider", () => {
  it("compiles when the route's first target's provider type has a batch API (openai)", () => {
    const files = edit(
      "routes.yaml",
      "    models: [small, large, embed]\n",
      "    models: [large, small, embed]\n    batch: { via: provider }\n",
    );
    const result = compileTexts(files);
    expect(result.ok && result.policy.routes.auto?.batch).toMatchObject({ via: "provider", poll_interval_s: 60 });
  });
});

describe("tenants.<id>.batch_webhook", () => {
  it("compiles a webhook to an allowlisted host into the tenant", () => {
    const hook = { url: "https://hooks.example.com/b", allowed_hosts: ["hooks.example.com"], secret: "HOOK_SECRET" };
    const result = compileTexts(
      WEBHOOK(
        "      url: https://hooks.example.com/b\n      allowed_hosts: [hooks.example.com]\n      secret: HOOK_SECRET\n",
      ),
    );
    expect(result.ok && result.policy.tenants.acme?.batch_webhook).toEqual(hook);
  });
});

describe("error reporting", () => {
  it("formats as file:line: path: message", () => {
    const [error] = errorsOf(edit("models.yaml", "provider: openai", "provider: opnai"));
    expect(formatPolicyError(error as PolicyError)).toBe(
      'policies/models.yaml:13: models.large.targets[0].provider: unknown provider "opnai" (known: local, openai); did you mean "openai"?',
    );
  });

  it("quotes path segments that contain dots or slashes", () => {
    const files = edit(
      "models.yaml",
      "  large:",
      "  meta/llama-3.1:8b:\n    targets: [{ provider: nowhere, model: x }]\n    context_window: 10\n  large:",
    );
    const errors = errorsOf(files);
    expect(errors.map((e) => e.path)).toContain('models["meta/llama-3.1:8b"].targets[0].provider');
  });

  it("reports every schema problem of every file in one run", () => {
    const files = {
      ...edit("models.yaml", "output_per_mtok: 200", "output_per_mtok: -1"),
      "x.yaml": "tenants:\n  t:\n    plan: free\n    rout: [auto]\n",
    };
    const errors = errorsOf(files);
    expect(errors.map((e) => e.file).sort()).toEqual(["policies/models.yaml", "policies/x.yaml"]);
  });
});
