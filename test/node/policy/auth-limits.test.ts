import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compilePolicy, type PolicyError } from "../../../src/policy/compile";
import { STATIC_JWT } from "../../fixtures/jwt-keys";
import { BASE, compileTexts, edit, expectCompiled, REPO_ROOT, readArtifactDir, readPolicyDir, sha256 } from "./helpers";

// biome-ignore lint/suspicious/noTemplateCurlyInString: the placeholder admins write.
const JWKS_VAR = "${JWKS_URL}";

const P256 = `{ kty: EC, crv: P-256, kid: k1, x: ${STATIC_JWT.publicJwk.x}, y: ${STATIC_JWT.publicJwk.y} }`;

/** BASE with `jwt` (YAML lines, indented under the tenant) added to tenant acme. */
function withJwt(lines: string): Record<string, string> {
  const body = lines
    .trim()
    .split("\n")
    .map((line) => `      ${line}`)
    .join("\n");
  return edit("routes.yaml", "  acme:\n    plan: free\n", `  acme:\n    plan: free\n    jwt:\n${body}\n`);
}

const REMOTE = `issuer: "https://issuer.example"\naudience: api\njwks_url: "https://issuer.example/jwks.json"\nalgorithms: [RS256]`;

function errorsOf(files: Record<string, string>): PolicyError[] {
  const result = compileTexts(files);
  if (result.ok) throw new Error("expected the policy to be refused");
  return result.errors;
}

describe("effective tenant settings", () => {
  it("fills defaults when nothing is configured: unlimited, default credits, no task budget, no jwt", () => {
    const acme = expectCompiled(compileTexts(BASE)).tenants.acme;
    expect(acme).toEqual({
      id: "acme",
      plan: "free",
      routes: ["auto"],
      limits: { key: {}, tenant: {} },
      credits: {
        hold_ttl_s: 600,
        min_output_tokens: 16,
        idempotency_ttl_s: 86400,
        overlap_admission: false,
        ledger_shards: 1,
      },
      tools: [],
      tool_loop: { max_turns: 5, max_tool_calls: 10, max_wall_ms: 60000 },
      cache: {},
    });
  });

  it("resolves each field from the tenant, else the plan, else the default", () => {
    const files = edit(
      "routes.yaml",
      "plans:\n  free:\n    routes: [auto]\ntenants:\n  acme:\n    plan: free\n",
      `plans:
  free:
    routes: [auto]
    limits: { key: { requests_per_minute: 60, tokens_per_minute: 1000 }, tenant: { tokens_per_minute: 9000 } }
    task_budget: { max_calls: 10, max_cost: 500 }
    credits: { min_output_tokens: 32 }
tenants:
  acme:
    plan: free
    limits: { key: { requests_per_minute: 5 } }
    task_budget: { max_calls: 3, ttl_s: 120 }
    credits: { hold_ttl_s: 60 }
  other:
    plan: free
`,
    );
    const policy = expectCompiled(compileTexts(files));
    expect(policy.tenants.acme).toMatchObject({
      limits: { key: { requests_per_minute: 5, tokens_per_minute: 1000 }, tenant: { tokens_per_minute: 9000 } },
      task_budget: { max_calls: 3, max_cost: 500, ttl_s: 120 },
      credits: { hold_ttl_s: 60, min_output_tokens: 32, idempotency_ttl_s: 86400, overlap_admission: false },
    });
    expect(policy.tenants.other?.task_budget).toEqual({ max_calls: 10, max_cost: 500, ttl_s: 3600 });
    expect(policy.tenants.other?.limits.key).toEqual({ requests_per_minute: 60, tokens_per_minute: 1000 });
  });

  it("takes ledger_shards from the tenant, else the plan, else 1", () => {
    const files = edit(
      "routes.yaml",
      "    routes: [auto]\n",
      "    routes: [auto]\n    credits: { ledger_shards: 2 }\n    limits: { tenant: { requests_per_minute: 4 } }\n",
    );
    expect(expectCompiled(compileTexts(files)).tenants.acme?.credits.ledger_shards).toBe(2);
    const own = edit("routes.yaml", "    plan: free\n", "    plan: free\n    credits: { ledger_shards: 8 }\n");
    expect(expectCompiled(compileTexts(own)).tenants.acme?.credits.ledger_shards).toBe(8);
  });

  it("normalizes jwt: audience to a list, default tolerance, subject claim and token types, empty required claims", () => {
    const jwt = expectCompiled(compileTexts(withJwt(REMOTE))).tenants.acme?.jwt;
    expect(jwt).toEqual({
      issuer: "https://issuer.example",
      audience: ["api"],
      jwks_url: "https://issuer.example/jwks.json",
      algorithms: ["RS256"],
      clock_tolerance_s: 30,
      subject_claim: "sub",
      required_claims: {},
      token_types: ["jwt", "at+jwt"],
      require_typ: false,
    });
  });

  it("token_types are normalised (case, application/ prefix) and require_typ is kept", () => {
    const jwt = expectCompiled(
      compileTexts(withJwt(`${REMOTE}\ntoken_types: [application/AT+JWT, at+jwt]\nrequire_typ: true`)),
    ).tenants.acme?.jwt;
    expect(jwt).toMatchObject({ token_types: ["at+jwt"], require_typ: true });
  });

  it("accepts static keys, loopback http and placeholders", () => {
    const staticKeys = withJwt(
      `issuer: x\naudience: [a, b]\nkeys: [${P256}]\nalgorithms: [ES256]\nmax_token_age_s: 60`,
    );
    expect(expectCompiled(compileTexts(staticKeys)).tenants.acme?.jwt).toMatchObject({
      audience: ["a", "b"],
      keys: [{ kty: "EC", crv: "P-256", kid: "k1" }],
      max_token_age_s: 60,
    });
    for (const url of ["http://127.0.0.1:8787/jwks.json", "http://localhost/jwks", JWKS_VAR, `${JWKS_VAR}/jwks.json`]) {
      expectCompiled(compileTexts(withJwt(REMOTE.replace('"https://issuer.example/jwks.json"', `"${url}"`))));
    }
  });

  it("the test fixtures define the JWT and limited tenants the integration tests use", () => {
    const policy = expectCompiled(
      compilePolicy(readPolicyDir("test/fixtures/policies"), sha256, readArtifactDir("test/fixtures/policies")),
    );
    expect(policy.tenants["t-jwt"]?.jwt).toMatchObject({
      issuer: "https://issuer.test",
      audience: ["gateway-test"],
      jwks_url: JWKS_VAR,
      algorithms: ["RS256", "ES256"],
    });
    expect(policy.tenants["t-jwt-static"]?.jwt).toMatchObject({
      issuer: STATIC_JWT.issuer,
      keys: [STATIC_JWT.publicJwk],
      subject_claim: "uid",
      required_claims: { scope_ok: true },
    });
    expect(policy.tenants["t-limited"]).toMatchObject({
      limits: { key: { requests_per_minute: 10, tokens_per_minute: 50000 }, tenant: { requests_per_minute: 100 } },
      task_budget: { max_calls: 3, max_tokens: 20000, max_identical_calls: 2, ttl_s: 600 },
      credits: { hold_ttl_s: 300, min_output_tokens: 8, idempotency_ttl_s: 86400, overlap_admission: false },
    });
  });

  it("the commented JWT example in policies/routes.yaml compiles once uncommented", () => {
    const file = path.join(REPO_ROOT, "policies/routes.yaml");
    const text = readFileSync(file, "utf8");
    const uncommented = text.replace(/^( {4})# (jwt:|limits:| {2}.*)$/gm, "$1$2");
    expect(uncommented).not.toBe(text);
    const files = readPolicyDir("policies").map((f) =>
      f.name === "policies/routes.yaml" ? { ...f, text: uncommented } : f,
    );
    const acme = expectCompiled(compilePolicy(files, sha256, readArtifactDir("policies"))).tenants.acme;
    expect(acme?.jwt?.issuer).toBe("https://login.acme.example/");
    expect(acme?.limits.key).toEqual({ requests_per_minute: 1200, tokens_per_minute: 2000000 });
  });
});

interface Case {
  files: Record<string, string>;
  path: string;
  message: RegExp;
  file?: string;
}

const jwtPath = "tenants.acme.jwt";
const cases: Record<string, Case> = {
  "HS256 is refused": {
    files: withJwt(REMOTE.replace("[RS256]", "[RS256, HS256]")),
    path: `${jwtPath}.algorithms[1]`,
    message: /"HS256" is refused: with a shared-secret algorithm/,
  },
  "none is refused": {
    files: withJwt(REMOTE.replace("[RS256]", "[none]")),
    path: `${jwtPath}.algorithms[0]`,
    message: /never accepted/,
  },
  "empty algorithms": {
    files: withJwt(REMOTE.replace("[RS256]", "[]")),
    path: `${jwtPath}.algorithms`,
    message: /at least one algorithm/,
  },
  "both jwks_url and keys": {
    files: withJwt(`${REMOTE}\nkeys: [${P256}]`),
    path: `${jwtPath}.keys`,
    message: /exactly one of jwks_url .* and keys/,
  },
  "neither jwks_url nor keys": {
    files: withJwt(REMOTE.replace('jwks_url: "https://issuer.example/jwks.json"\n', "")),
    path: jwtPath,
    message: /exactly one of jwks_url/,
  },
  "plain http to a public host": {
    files: withJwt(REMOTE.replace("https://issuer.example/jwks.json", "http://issuer.example/jwks.json")),
    path: `${jwtPath}.jwks_url`,
    message: /must use https:\/\/ \(plain http:\/\/ is accepted only to a loopback host/,
  },
  "credentials in jwks_url": {
    files: withJwt(REMOTE.replace("https://issuer.example/jwks", "https://u:p@issuer.example/jwks")),
    path: `${jwtPath}.jwks_url`,
    message: /must not contain credentials/,
  },
  "private key material": {
    files: withJwt(
      `issuer: x\naudience: a\nkeys: [{ kty: EC, crv: P-256, x: abc, y: def, d: secret }]\nalgorithms: [ES256]`,
    ),
    path: `${jwtPath}.keys[0].d`,
    message: /unknown key "d"/,
  },
  "symmetric key": {
    files: withJwt(`issuer: x\naudience: a\nkeys: [{ kty: oct, k: c2VjcmV0 }]\nalgorithms: [ES256]`),
    path: `${jwtPath}.keys[0].kty`,
    message: /must be one of "RSA", "EC", "OKP"/,
  },
  "short RSA key": {
    files: withJwt(`issuer: x\naudience: a\nkeys: [{ kty: RSA, n: ${"A".repeat(171)}, e: AQAB }]\nalgorithms: [RS256]`),
    path: `${jwtPath}.keys[0].n`,
    message: /at least 2048 bits/,
  },
  "EC key missing y": {
    files: withJwt(`issuer: x\naudience: a\nkeys: [{ kty: EC, crv: P-256, x: abc }]\nalgorithms: [ES256]`),
    path: `${jwtPath}.keys[0].y`,
    message: /is required for kty EC/,
  },
  "static key that no listed algorithm can use": {
    files: withJwt(`issuer: x\naudience: a\nkeys: [${P256}]\nalgorithms: [RS256]`),
    path: `${jwtPath}.keys[0]`,
    message: /verifies ES256, none of which is in algorithms/,
  },
  "key alg outside algorithms": {
    files: withJwt(
      `issuer: x\naudience: a\nkeys: [${P256.replace("kid: k1", "kid: k1, alg: ES384")}]\nalgorithms: [ES256]`,
    ),
    path: `${jwtPath}.keys[0].alg`,
    message: /"ES384" is not one of algorithms/,
  },
  "several keys without kid": {
    files: withJwt(`issuer: x\naudience: a\nkeys: [${P256}, ${P256.replace("kid: k1, ", "")}]\nalgorithms: [ES256]`),
    path: `${jwtPath}.keys[1]`,
    message: /needs a kid when more than one key/,
  },
  "duplicate kid": {
    files: withJwt(`issuer: x\naudience: a\nkeys: [${P256}, ${P256}]\nalgorithms: [ES256]`),
    path: `${jwtPath}.keys[1].kid`,
    message: /"k1" is listed twice/,
  },
  "reserved required claim": {
    files: withJwt(`${REMOTE}\nrequired_claims: { exp: 1 }`),
    path: `${jwtPath}.required_claims.exp`,
    message: /is checked by the built-in expiry check/,
  },
  "clock tolerance too large": {
    files: withJwt(`${REMOTE}\nclock_tolerance_s: 301`),
    path: `${jwtPath}.clock_tolerance_s`,
    message: /at most 300/,
  },
  "typo in a jwt key": {
    files: withJwt(`${REMOTE}\naudiences: b`),
    path: `${jwtPath}.audiences`,
    message: /unknown key "audiences" \(did you mean "audience"\?\)/,
  },
  "two tenants share an issuer": {
    files: {
      ...withJwt(REMOTE),
      "more.yaml": `tenants:\n  beta:\n    plan: free\n    jwt:\n${REMOTE.split("\n")
        .map((l) => `      ${l}`)
        .join("\n")}\n`,
    },
    // Files are read in name order, so the later one (routes.yaml) is reported, naming the earlier definition.
    path: "tenants.acme.jwt.issuer",
    message: /"https:\/\/issuer\.example" is already the issuer of tenant "beta" \(policies\/more\.yaml:5\)/,
  },
  "idempotency kept less than a day": {
    files: edit("routes.yaml", "    plan: free\n", "    plan: free\n    credits: { idempotency_ttl_s: 3600 }\n"),
    path: "tenants.acme.credits.idempotency_ttl_s",
    message: /between 86400 and 2592000/,
  },
  "fractional rate limit": {
    files: edit(
      "routes.yaml",
      "    plan: free\n",
      "    plan: free\n    limits: { key: { requests_per_minute: 1.5 } }\n",
    ),
    path: "tenants.acme.limits.key.requests_per_minute",
    message: /whole number between 1 and 1000000/,
  },
  "typo in a limit": {
    files: edit(
      "routes.yaml",
      "    routes: [auto]\n",
      "    routes: [auto]\n    limits: { key: { request_per_minute: 5 } }\n",
    ),
    path: "plans.free.limits.key.request_per_minute",
    message: /did you mean "requests_per_minute"/,
  },
  "ledger_shards out of range": {
    files: edit("routes.yaml", "    plan: free\n", "    plan: free\n    credits: { ledger_shards: 65 }\n"),
    path: "tenants.acme.credits.ledger_shards",
    message: /whole number between 1 and 64/,
  },
  "fractional ledger_shards": {
    files: edit("routes.yaml", "    plan: free\n", "    plan: free\n    credits: { ledger_shards: 2.5 }\n"),
    path: "tenants.acme.credits.ledger_shards",
    message: /whole number between 1 and 64/,
  },
  "a tenant-wide limit below ledger_shards": {
    files: edit(
      "routes.yaml",
      "    plan: free\n",
      "    plan: free\n    credits: { ledger_shards: 4 }\n    limits: { tenant: { requests_per_minute: 3 } }\n",
    ),
    path: "tenants.acme",
    message: /limits\.tenant\.requests_per_minute is 3, below credits\.ledger_shards \(4\)/,
  },
  "task ttl too short": {
    files: edit("routes.yaml", "    plan: free\n", "    plan: free\n    task_budget: { ttl_s: 10 }\n"),
    path: "tenants.acme.task_budget.ttl_s",
    message: /between 60 and 604800/,
  },
  "hold shorter than a route deadline (tenant value)": {
    files: edit(
      "routes.yaml",
      "      deadline_ms: 5000\n",
      "      deadline_ms: 120000\n",
      edit("routes.yaml", "    plan: free\n", "    plan: free\n    credits: { hold_ttl_s: 60 }\n"),
    ),
    path: "tenants.acme.credits.hold_ttl_s",
    message: /hold_ttl_s is 60s, not above the 120000 ms deadline of route "auto"/,
  },
  "hold shorter than a route deadline (plan value)": {
    files: edit(
      "routes.yaml",
      "      deadline_ms: 5000\n",
      "      deadline_ms: 120000\n",
      edit("routes.yaml", "    routes: [auto]\n", "    routes: [auto]\n    credits: { hold_ttl_s: 100 }\n"),
    ),
    path: "tenants.acme",
    message: /is 100s \(from plan "free"\), not above/,
  },
};

describe("invalid auth and limits settings are refused with a located message", () => {
  it.each(Object.entries(cases))("%s", (_, c) => {
    const errors = errorsOf(c.files);
    const match = errors.find((e) => e.path === c.path);
    expect(match, JSON.stringify(errors, null, 2)).toBeDefined();
    expect(match?.message).toMatch(c.message);
    expect(match?.file).toBe(c.file ?? "policies/routes.yaml");
    expect(match?.line).toEqual(expect.any(Number));
  });
});
