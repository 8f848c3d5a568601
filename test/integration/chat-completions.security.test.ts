import { describe, expect, it } from "vitest";
import { V1_ROUTES } from "../../src/routes/v1";
import { gw, nonce, postJson, upstreamRequests, userMessage } from "../helpers/gateway";
import { TEST_KEYS } from "../helpers/keys";

/** A valid body per POST route, so a refusal can only come from authentication. */
const BODIES: Record<string, unknown> = {
  "/v1/chat/completions": { model: "m-openai", messages: userMessage("x") },
  "/v1/messages": { model: "m-openai", max_tokens: 8, messages: userMessage("x") },
  "/v1/messages/count_tokens": { model: "m-openai", messages: userMessage("x") },
  "/v1/responses": { model: "m-openai", input: "x" },
  "/v1/embeddings": { model: "m-embed", input: "x" },
  "/v1/tools/:name/invoke": { arguments: {} },
  "/v1/tasks/:id/outcome": { outcome: "success" },
  // A JSON body where a form is expected is the handler's 415: only authentication may refuse first.
  "/v1/files": { purpose: "batch" },
  "/v1/batches": { input_file_id: "file-x", endpoint: "/v1/chat/completions", completion_window: "24h" },
  "/v1/batches/:id/cancel": {},
};

describe("authentication on every /v1 route", () => {
  // Every route of the table app.ts registers: a new /v1 route is covered here without being listed.
  const routes: [string, string, unknown?][] = V1_ROUTES.map((r) => [
    r.method,
    r.path.replace(/:[a-z]+/g, "lookup"),
    // A path may serve GET and POST (/v1/batches): only the POST carries the body.
    r.method === "POST" ? BODIES[r.path] : undefined,
  ]);

  it("covers the whole route table, with a body for every POST route", () => {
    expect(routes.length).toBe(V1_ROUTES.length);
    expect(routes.map(([, path]) => path)).toEqual(expect.arrayContaining(["/v1/balance", "/v1/tools/lookup/invoke"]));
    expect(V1_ROUTES.filter((r) => r.method === "POST" && BODIES[r.path] === undefined)).toEqual([]);
  });

  describe.each(routes)("%s %s", (method, path, body) => {
    const call = (init: RequestInit & { key?: string | null }) =>
      gw(path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }), ...init });

    it.each([
      ["no credential", { key: null }],
      ["an unknown key", { key: "sk-gw-not-a-key" }],
      ["a malformed Authorization header", { key: null, headers: { authorization: "Basic abc" } }],
      ["a key whose tenant is not in policy", { key: TEST_KEYS.orphan.key }],
    ])("refuses %s with 401, a challenge and no echo", async (_label, init) => {
      const res = await call(init);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toContain("Bearer");
      const text = await res.text();
      expect(JSON.parse(text).error.code).toBe("unauthorized");
      expect(text).not.toContain("sk-gw-not-a-key");
      expect(text).not.toContain(TEST_KEYS.orphan.key);
    });
  });

  it("accepts the Anthropic-style x-api-key header", async () => {
    const res = await gw("/v1/models", { key: null, headers: { "x-api-key": TEST_KEYS.main.key } });
    expect(res.status).toBe(200);
  });

  it("never calls an upstream for an unauthenticated request", async () => {
    const n = nonce();
    await postJson("/v1/chat/completions", { model: "m-openai", messages: userMessage(n) }, { key: null });
    expect(await upstreamRequests(n)).toHaveLength(0);
  });
});

describe("secrets and tenancy", () => {
  it("never returns provider secrets or upstream error bodies", async () => {
    for (const model of ["m-openai", "m-all-down", "m-anthropic"]) {
      const res = await postJson("/v1/chat/completions", { model, messages: userMessage(nonce()) });
      const text = await res.text();
      for (const secret of ["fake-openai-secret", "fake-anthropic-secret", "fake-gemini-secret"]) {
        expect(text).not.toContain(secret);
        for (const value of res.headers.values()) expect(value).not.toContain(secret);
      }
    }
  });

  it("takes the tenant from the credential, never from headers or body", async () => {
    const res = await postJson(
      "/v1/chat/completions",
      { model: "m-openai", messages: userMessage("x"), tenant: "t-main", user: "t-main" },
      { key: TEST_KEYS.restricted.key, headers: { "x-tenant-id": "t-main", "x-gateway-tenant": "t-main" } },
    );
    expect(res.status).toBe(403);
  });

  it("lists only the models the caller's routes allow", async () => {
    const main = (await (await gw("/v1/models")).json()) as { object: string; data: { id: string; object: string }[] };
    expect(main.object).toBe("list");
    expect(main.data.map((m) => m.id)).toEqual(expect.arrayContaining(["auto", "m-openai", "m-anthropic"]));
    const restricted = (await (await gw("/v1/models", { key: TEST_KEYS.restricted.key })).json()) as {
      data: { id: string }[];
    };
    const ids = restricted.data.map((m) => m.id);
    expect(ids).toContain("m-origin");
    expect(ids).not.toContain("m-openai");
  });
});

describe("GET /healthz", () => {
  it("answers without a credential and reports the policy version", async () => {
    const res = await gw("/healthz", { key: null });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; policy_version: string };
    expect(body.status).toBe("ok");
    expect(body.policy_version).toMatch(/^sha256:/);
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
  });
});
