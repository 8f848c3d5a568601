import { describe, expect, it } from "vitest";
import { run } from "../../../scripts/cli/main";
import { createApp } from "../../../src/app";
import { isolateState, type Services } from "../../../src/context";
import { parseEnv } from "../../../src/env";
import { TELEMETRY_OFF } from "../../../src/observability/telemetry";
import { compilePolicy } from "../../../src/policy/compile";
import { createReferenceStore } from "../../integration/ledger/reference-ledger";
import { expectCompiled, readArtifactDir, readPolicyDir, sha256 } from "../policy/helpers";

/**
 * The CLI against the real admin API (the production Hono app over the in-memory reference store), in process: the
 * request shapes the CLI sends and the response shapes it prints must agree with the routes, not just with fixtures.
 */

const SECRET = "cli-app-admin-secret-0123456789";
// Compiled here, not read from test/.generated: the node project has no global setup that builds it.
const policy = expectCompiled(
  compilePolicy(readPolicyDir("test/fixtures/policies"), sha256, readArtifactDir("test/fixtures/policies")),
);

function gateway() {
  const store = createReferenceStore();
  const services: Services = {
    env: parseEnv({
      ADMIN_SECRET: SECRET,
      GATEWAY_STATIC_KEYS: JSON.stringify([{ key_id: "local-dev", tenant: "t-main", sha256: "0".repeat(64) }]),
    }),
    policy,
    ...isolateState(),
    providers: new Map(),
    telemetry: TELEMETRY_OFF,
    ledger: store.ledger,
    keys: store.keys,
    outbox: undefined,
    sweep: async () => 0,
    fetch: () => Promise.reject(new Error("no upstream calls here")),
    now: () => Date.now(),
    random: Math.random,
  };
  const app = createApp(() => services);
  const fetchImpl = ((input: RequestInfo | URL, init?: RequestInit) =>
    Promise.resolve(app.fetch(new Request(input, init), {}))) as typeof fetch;
  return async (argv: string[], secret = SECRET) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(argv, {
      env: { GATEWAY_URL: "http://gateway.test", GATEWAY_ADMIN_SECRET: secret, GATEWAY_DEV_TENANT: "t-main" },
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
      fetch: fetchImpl,
    });
    return { code, stdout: out.join("\n"), stderr: err.join("\n") };
  };
}

describe("gateway CLI against the admin API", () => {
  it("creates, lists, credits, reads and revokes", async () => {
    const cli = gateway();
    const created = await cli(["keys", "create", "--tenant", "t-main", "--routes", "auto", "--tags", "a,b", "--json"]);
    expect(created.code, created.stderr).toBe(0);
    const key = JSON.parse(created.stdout) as { key: string; key_id: string; routes: string[]; tags: string[] };
    expect(key).toMatchObject({ routes: ["auto"], tags: ["a", "b"] });
    expect(key.key).toMatch(/^gw_/);

    const list = await cli(["keys", "list", "--tenant", "t-main"]);
    expect(list.stdout).toMatch(new RegExp(`${key.key_id}\\s+active`));
    expect(list.stdout).not.toContain(key.key);

    const topup = await cli(["credits", "add", key.key_id, "2_500_000", "--reference", "inv-1"]);
    expect(topup.code).toBe(0);
    expect(topup.stdout).toContain("Top-up of 2.500000 credits recorded");
    const repeated = await cli(["credits", "add", key.key_id, "2_500_000", "--reference", "inv-1"]);
    expect(repeated.code).toBe(0);
    expect(repeated.stdout).toContain("Already applied: reference inv-1 was used before");
    const adjusted = await cli(["credits", "adjust", key.key_id, "-500000", "--reference", "fix-1"]);
    expect(adjusted.stdout).toMatch(/balance:\s+2\.000000 credits \(2000000 micro-credits\)/);

    const entries = await cli(["entries", key.key_id, "--json"]);
    const data = (JSON.parse(entries.stdout) as { data: { reference: string; amount: number }[] }).data;
    expect(data.map((e) => [e.reference, e.amount])).toEqual([
      ["fix-1", -500_000],
      ["inv-1", 2_500_000],
    ]);

    const jwt = await cli(["credits", "add", "jwt:alice", "10", "--reference", "r", "--tenant", "t-jwt"]);
    expect(jwt.code, jwt.stderr).toBe(0);
    expect((await cli(["balance", "jwt:alice", "--tenant", "t-jwt"])).stdout).toMatch(/balance:\s+0\.000010 credits/);
    expect((await cli(["usage", "--tenant", "t-main", "--key", key.key_id])).stdout).toBe("(none)");

    // npm start's dev account (a static key) needs no --tenant: the CLI defaults to GATEWAY_DEV_TENANT.
    const dev = await cli(["credits", "add", "local-dev", "7", "--reference", "dev-1"]);
    expect(dev.code, dev.stderr).toBe(0);
    expect((await cli(["balance", "local-dev"])).stdout).toMatch(/tenant:\s+t-main\n.*balance:\s+0\.000007 credits/s);
    const again = await cli(["credits", "add", "local-dev", "7", "--reference", "dev-1", "--tenant", "t-main"]);
    expect(again.stdout).toContain("Already applied");
    const jwtBare = await cli(["balance", "jwt:alice"]);
    expect(jwtBare.code).toBe(2);

    const revoked = await cli(["keys", "revoke", key.key_id]);
    expect(revoked.stdout).toMatch(/^Revoked key \w+ at \d{4}-/);
    expect((await cli(["keys", "show", key.key_id])).stdout).toMatch(/status:\s+revoked/);
  });

  it("prints the API's validation errors and exits 1", async () => {
    const cli = gateway();
    const zero = await cli(["credits", "add", "abcdefghijkl", "0", "--reference", "r"]);
    expect(zero.code).toBe(1);
    expect(zero.stderr).toContain("error: invalid_request:");
    expect(zero.stderr).toContain("param: amount");
    const unknown = await cli(["keys", "create", "--tenant", "nope"]);
    expect(unknown.stderr).toContain('error: not_found: No tenant "nope" in the policy.');
    const wrong = await cli(["keys", "list", "--tenant", "t-main"], "not-the-admin-secret-000");
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("error: unauthorized:");
    expect(wrong.stderr).not.toContain("not-the-admin-secret-000");
  });
});
