import { describe, expect, it } from "vitest";
import { BALANCE, CACHE_STATS, KEY_RECORD, NEW_KEY, USAGE_EVENT } from "./fixtures";
import { recorders, runCli, SECRET } from "./recorder";

const gateways = recorders();
const gateway = gateways.start;
const env = gateways.env;

describe.concurrent("gateway CLI: arguments become admin API calls", () => {
  it("keys create sends every option, prints the key once, authenticates with the env secret", async () => {
    const gw = await gateway(() => ({ status: 201, body: { ...KEY_RECORD, key: NEW_KEY } }));
    const expires = "2027-01-01T00:00:00Z";
    const res = await runCli(
      [
        "keys",
        "create",
        "--tenant",
        "acme",
        "--name",
        "ci",
        `--expires-at=${expires}`,
        "--routes",
        "auto, fast",
        "--tags",
        "team-a",
      ],
      env(gw),
    );
    expect(res.code, res.stderr).toBe(0);
    expect(gw.requests).toHaveLength(1);
    const [req] = gw.requests;
    expect(req).toMatchObject({ method: "POST", path: "/admin/keys" });
    expect(req?.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(req?.headers["content-type"]).toBe("application/json");
    expect(req?.body).toEqual({
      tenant: "acme",
      name: "ci",
      expires_at: expires,
      routes: ["auto", "fast"],
      tags: ["team-a"],
    });
    expect(res.stdout.split(NEW_KEY)).toHaveLength(2);
    expect(res.stdout).toContain("cannot show it again");
    expect(res.stdout + res.stderr).not.toContain(SECRET);
  });

  it("keys create says a new key has 0 credits; --credits tops it up at once under a reference tied to the key", async () => {
    const plain = await gateway(() => ({ status: 201, body: { ...KEY_RECORD, key: NEW_KEY } }));
    const bare = await runCli(["keys", "create", "--tenant", "acme"], env(plain));
    expect(bare.code, bare.stderr).toBe(0);
    expect(bare.stdout).toContain("This key has 0 credits");
    expect(plain.requests).toHaveLength(1);
    const funded = await gateway((req) =>
      req.path === "/admin/keys"
        ? { status: 201, body: { ...KEY_RECORD, key: NEW_KEY } }
        : { status: 200, body: BALANCE },
    );
    const res = await runCli(["keys", "create", "--tenant", "acme", "--credits", "5000000"], env(funded));
    expect(res.code, res.stderr).toBe(0);
    expect(funded.requests).toHaveLength(2);
    expect(funded.requests[1]).toMatchObject({
      method: "POST",
      path: `/admin/keys/${KEY_RECORD.key_id}/credits`,
      body: { amount: 5_000_000, reference: `initial-${KEY_RECORD.key_id}`, type: "topup" },
    });
    expect(res.stdout).toMatch(/Topped up with 5(\.0+)? credits \(reference initial-/);
    expect(funded.requests[0]?.body).toEqual({ tenant: "acme" });
  });

  it("keys create --expires-at in epoch ms is sent as a number", async () => {
    const gw = await gateway(() => ({ status: 201, body: { ...KEY_RECORD, key: NEW_KEY } }));
    await runCli(["keys", "create", "--tenant", "acme", "--expires-at", "1800000000000"], env(gw));
    expect(gw.requests[0]?.body).toEqual({ tenant: "acme", expires_at: 1_800_000_000_000 });
  });

  it("--json prints the gateway's answer unchanged", async () => {
    const gw = await gateway(() => ({ status: 201, body: { ...KEY_RECORD, key: NEW_KEY } }));
    const res = await runCli(["keys", "create", "--tenant", "acme", "--json"], env(gw));
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual({ ...KEY_RECORD, key: NEW_KEY });
  });

  it("keys list, show and revoke", async () => {
    const gw = await gateway((req) =>
      req.path === "/admin/keys"
        ? {
            status: 200,
            body: { object: "list", data: [KEY_RECORD, { ...KEY_RECORD, key_id: "zzzzzzzzzzzz", status: "revoked" }] },
          }
        : { status: 200, body: { ...KEY_RECORD, status: "revoked", revoked_at: "2026-02-02T00:00:00.000Z" } },
    );
    const list = await runCli(["keys", "list", "--tenant", "acme"], env(gw));
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/KEY ID\s+STATUS/);
    expect(list.stdout).toContain("zzzzzzzzzzzz");
    expect(list.stdout).toMatch(/abcdefghij12\s+active/);
    const show = await runCli(["keys", "show", "abcdefghij12"], env(gw));
    expect(show.stdout).toMatch(/tenant:\s+acme/);
    const revoke = await runCli(["keys", "revoke", "abcdefghij12"], env(gw));
    expect(revoke.stdout).toContain("Revoked key abcdefghij12 at 2026-02-02T00:00:00.000Z");
    expect(gw.requests.map((r) => [r.method, r.path, r.query])).toEqual([
      ["GET", "/admin/keys", { tenant: "acme" }],
      ["GET", "/admin/keys/abcdefghij12", {}],
      ["POST", "/admin/keys/abcdefghij12/revoke", {}],
    ]);
  });

  it("credits add and adjust (a negative amount is an argument, not an option)", async () => {
    const gw = await gateway(() => ({ status: 200, body: BALANCE }));
    const add = await runCli(["credits", "add", "abcdefghij12", "2_000_000", "--reference", "inv-1"], env(gw));
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain("1.500000 credits (1500000 micro-credits)");
    const adjust = await runCli(["credits", "adjust", "abcdefghij12", "-500", "--reference=fix-1"], env(gw));
    expect(adjust.code, adjust.stderr).toBe(0);
    expect(gw.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ["POST", "/admin/keys/abcdefghij12/credits", { amount: 2_000_000, reference: "inv-1", type: "topup" }],
      ["POST", "/admin/keys/abcdefghij12/credits", { amount: -500, reference: "fix-1", type: "adjust" }],
    ]);
  });

  it("--tenant addresses other accounts (JWT subjects, static keys), URL-encoded", async () => {
    const gw = await gateway(() => ({ status: 200, body: { ...BALANCE, account_id: "jwt:alice/1" } }));
    await runCli(["credits", "add", "jwt:alice/1", "10", "--reference", "r", "--tenant", "acme"], env(gw));
    await runCli(["balance", "jwt:alice/1", "--tenant", "acme"], env(gw));
    expect(gw.requests.map((r) => [r.method, r.path, r.query, r.body])).toEqual([
      [
        "POST",
        "/admin/accounts/jwt%3Aalice%2F1/credits",
        {},
        { amount: 10, reference: "r", type: "topup", tenant: "acme" },
      ],
      ["GET", "/admin/accounts/jwt%3Aalice%2F1/balance", { tenant: "acme" }, undefined],
    ]);
  });

  it("local-dev (npm start's dev account) needs no --tenant: the dev tenant is the default", async () => {
    const gw = await gateway(() => ({ status: 200, body: { ...BALANCE, account_id: "local-dev" } }));
    const balance = await runCli(["balance", "local-dev"], env(gw));
    expect(balance.code, balance.stderr).toBe(0);
    expect(balance.stdout).toMatch(/account:\s+local-dev/);
    await runCli(["entries", "local-dev"], { ...env(gw), GATEWAY_DEV_TENANT: "beta" });
    await runCli(["credits", "add", "local-dev", "5", "--reference", "r"], env(gw));
    expect(gw.requests.map((r) => [r.method, r.path, r.query, r.body])).toEqual([
      ["GET", "/admin/accounts/local-dev/balance", { tenant: "acme" }, undefined],
      ["GET", "/admin/accounts/local-dev/entries", { tenant: "beta" }, undefined],
      ["POST", "/admin/accounts/local-dev/credits", {}, { amount: 5, reference: "r", type: "topup", tenant: "acme" }],
    ]);
  });

  it("an id that is no API key says --tenant is needed for other accounts; a jwt: account without it sends nothing", async () => {
    const gw = await gateway(() => ({
      status: 404,
      body: { error: { code: "not_found", message: 'No API key with id "static-1".', param: "id" } },
    }));
    const missing = await runCli(["balance", "static-1"], env(gw));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      'No API key with id "static-1". A static key\'s or a jwt:<subject> account needs --tenant T.',
    );
    const jwt = await runCli(["balance", "jwt:alice"], env(gw));
    expect(jwt.code).toBe(2);
    expect(jwt.stderr).toContain("add --tenant T");
    expect(gw.requests).toHaveLength(1);
  });

  it("a repeated top-up (same reference) says it was already applied, not recorded", async () => {
    const gw = await gateway(() => ({ status: 200, body: { ...BALANCE, applied: false } }));
    const again = await runCli(["credits", "add", "abcdefghij12", "2_000_000", "--reference", "inv-1"], env(gw));
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(
      "Already applied: reference inv-1 was used before on abcdefghij12; nothing changed.",
    );
    expect(again.stdout).not.toContain("recorded");
    const first = await gateway(() => ({ status: 200, body: { ...BALANCE, applied: true } }));
    const once = await runCli(["credits", "add", "abcdefghij12", "2_000_000", "--reference", "inv-2"], env(first));
    expect(once.stdout).toContain("Top-up of 2.000000 credits recorded for abcdefghij12 under reference inv-2.");
  });

  it("usage shows feature, task, cache and latency", async () => {
    const event = { ...USAGE_EVENT, feature: "search", task_id: "task-7", cache: "shadow", latency_ms: 321 };
    const gw = await gateway(() => ({ status: 200, body: { object: "list", data: [event] } }));
    const usage = await runCli(["usage", "--tenant", "acme"], env(gw));
    const [header, row] = usage.stdout.split("\n");
    expect(header).toMatch(/^AT\s+FEATURE\s+TASK\s+KEY\s+MODEL.*\s+CACHE\s+LATENCY MS$/);
    expect(row).toMatch(
      /search\s+task-7\s+abcdefghij12\s+small\s+openai\s+12\s+34\s+0\.000056\s+200\s+req_1\s+shadow\s+321$/,
    );
  });

  it("balance, entries and usage", async () => {
    const gw = await gateway((req) => {
      if (req.path.endsWith("/balance")) return { status: 200, body: BALANCE };
      if (req.path.endsWith("/entries")) {
        return {
          status: 200,
          body: {
            object: "list",
            data: [
              {
                seq: 2,
                at: "2026-01-01T00:00:00.000Z",
                type: "topup",
                amount: 250,
                balance_after: 250,
                reference: "inv-9",
                request_id: null,
                flags: [],
              },
            ],
          },
        };
      }
      return {
        status: 200,
        body: {
          object: "list",
          data: [USAGE_EVENT],
        },
      };
    });
    const balance = await runCli(["balance", "abcdefghij12"], env(gw));
    expect(balance.stdout).toMatch(/balance:\s+1\.500000 credits/);
    const entries = await runCli(["entries", "abcdefghij12", "--limit", "5", "--before-seq", "9"], env(gw));
    expect(entries.stdout).toMatch(/2\s+2026-01-01T00:00:00.000Z\s+topup\s+0\.000250\s+0\.000250\s+inv-9/);
    const usage = await runCli(
      ["usage", "--tenant", "acme", "--key", "abcdefghij12", "--limit", "3", "--since", "2026-01-01T00:00:00Z"],
      env(gw),
    );
    expect(usage.stdout).toMatch(/abcdefghij12\s+small\s+openai\s+12\s+34\s+0\.000056\s+200\s+req_1/);
    expect(gw.requests.map((r) => [r.path, r.query])).toEqual([
      ["/admin/keys/abcdefghij12/balance", {}],
      ["/admin/keys/abcdefghij12/entries", { limit: "5", before_seq: "9" }],
      ["/admin/usage", { tenant: "acme", key_id: "abcdefghij12", limit: "3", since: "2026-01-01T00:00:00Z" }],
    ]);
  });

  it("cache stats and cache invalidate", async () => {
    const gw = await gateway((req) =>
      req.path.endsWith("/stats")
        ? { status: 200, body: CACHE_STATS }
        : { status: 200, body: { object: "cache_invalidation", tenant: "acme", model: "small", deleted: 4 } },
    );
    const stats = await runCli(["cache", "stats", "acme"], env(gw));
    expect(stats.stdout).toMatch(/hit \/ miss:\s+3 \/ 9 \(hit rate 25\.0%\)/);
    const dropped = await runCli(["cache", "invalidate", "acme", "--model", "small"], env(gw));
    expect(dropped.stdout).toContain("deleted 4 cached answer(s)");
    expect(gw.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ["GET", "/admin/tenants/acme/cache/stats", undefined],
      ["POST", "/admin/tenants/acme/cache/invalidate", { model: "small" }],
    ]);
  });

  it("cache stats lists the shadow observations (both prompts, cosine, score) without --json", async () => {
    const observation = {
      at: "2026-01-01T00:00:00.000Z",
      request_id: "req_9",
      model: "small",
      kind: "semantic",
      entry_id: "e1",
      entry_age_ms: 42_000,
      cosine: 0.93456,
      score: 0.91,
      prompt: "How do I reset my   password?",
      entry_prompt: "How can I change my password?",
    };
    const gw = await gateway(() => ({
      status: 200,
      body: {
        ...CACHE_STATS,
        counts: { hit: 0, miss: 9, shadow: 1, bypass: 0 },
        hit_rate: 0,
        shadow_hit_rate: 0.1,
        shadow_log: [observation],
      },
    }));
    const stats = await runCli(["cache", "stats", "acme"], env(gw));
    expect(stats.stdout).toMatch(/shadow:\s+1 would-be hits \(10\.0%\)/);
    expect(stats.stdout).toContain("Shadow observations");
    expect(stats.stdout).toMatch(
      /small\s+semantic\s+0\.9346\s+0\.9100\s+42\s+How do I reset my password\?\s+How can I change my password\?/,
    );
  });

  it("--url and --admin-secret override the environment", async () => {
    const gw = await gateway(() => ({ status: 200, body: BALANCE }));
    const res = await runCli(
      ["balance", "abcdefghij12", "--url", `${gw.url}/`, "--admin-secret", "flag-secret-0123456789"],
      {
        GATEWAY_URL: "http://127.0.0.1:9",
        GATEWAY_ADMIN_SECRET: SECRET,
      },
    );
    expect(res.code, res.stderr).toBe(0);
    expect(gw.requests[0]?.path).toBe("/admin/keys/abcdefghij12/balance");
    expect(gw.requests[0]?.headers.authorization).toBe("Bearer flag-secret-0123456789");
  });
});
