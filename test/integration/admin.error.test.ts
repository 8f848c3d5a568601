import { describe, expect, it } from "vitest";
import { admin, adminPost, createKey, errorOf } from "./admin-helpers";

const GONE_ID = "zzzzzzzzzzzz";

describe("POST /admin/keys: refused bodies", () => {
  it.each([
    [{}, "tenant"],
    [{ tenant: "" }, "tenant"],
    [{ tenant: "t-main", nmae: "typo" }, "nmae"],
    [{ tenant: "t-main", name: "" }, "name"],
    [{ tenant: "t-main", name: "bad\u0007bell" }, "name"],
    [{ tenant: "t-main", expires_at: "tomorrow" }, "expires_at"],
    [{ tenant: "t-main", expires_at: "2030-01-01T00:00:00" }, "expires_at"],
    [{ tenant: "t-main", expires_at: 1.5 }, "expires_at"],
    [{ tenant: "t-main", expires_at: Date.now() - 1000 }, "expires_at"],
    [{ tenant: "t-main", expires_at: "2001-01-01T00:00:00Z" }, "expires_at"],
    [{ tenant: "t-main", routes: [] }, "routes"],
    [{ tenant: "t-main", routes: ["auto", "restricted"] }, "routes.1"],
    [{ tenant: "t-restricted", routes: ["test"] }, "routes.0"],
    [{ tenant: "t-main", tags: ["has space"] }, "tags.0"],
    [{ tenant: "t-main", scopes: "chat" }, "scopes"],
  ])("%j -> 400 invalid_request naming %s", async (body, param) => {
    const res = await adminPost("/admin/keys", body);
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ code: "invalid_request", param });
  });

  it("unknown tenant -> 404 not_found naming tenant", async () => {
    const res = await adminPost("/admin/keys", { tenant: "no-such-tenant" });
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toMatchObject({ code: "not_found", param: "tenant" });
  });

  it("a prototype property is not a tenant", async () => {
    const res = await adminPost("/admin/keys", { tenant: "constructor" });
    expect(res.status).toBe(404);
  });

  it("not JSON -> 400 invalid_json; another content type -> 415", async () => {
    const bad = await admin("/admin/keys", {
      method: "POST",
      body: "{tenant:",
      headers: { "content-type": "application/json" },
    });
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).code).toBe("invalid_json");
    const form = await admin("/admin/keys", {
      method: "POST",
      body: "tenant=t-main",
      headers: { "content-type": "text/plain" },
    });
    expect(form.status).toBe(415);
  });
});

describe("unknown keys", () => {
  it.each([
    ["GET", `/admin/keys/${GONE_ID}`],
    ["GET", "/admin/keys/not-a-key-id"],
    ["POST", `/admin/keys/${GONE_ID}/revoke`],
    ["GET", `/admin/keys/${GONE_ID}/balance`],
    ["GET", `/admin/keys/${GONE_ID}/entries`],
  ])("%s %s -> 404 not_found", async (method, path) => {
    const res = await admin(path, { method });
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toMatchObject({ code: "not_found", param: "id" });
  });

  it("credits for an unknown key -> 404, nothing credited anywhere", async () => {
    const res = await adminPost(`/admin/keys/${GONE_ID}/credits`, { amount: 5, reference: "r", type: "topup" });
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toMatchObject({ code: "not_found", param: "id" });
  });
});

describe("POST /admin/keys/:id/credits: refused bodies", () => {
  it.each([
    [{ reference: "r", type: "topup" }, "amount"],
    [{ amount: 0, reference: "r", type: "topup" }, "amount"],
    [{ amount: 1.5, reference: "r", type: "topup" }, "amount"],
    [{ amount: "100", reference: "r", type: "topup" }, "amount"],
    [{ amount: 1e15 + 1, reference: "r", type: "topup" }, "amount"],
    [{ amount: -(1e15 + 1), reference: "r", type: "adjust" }, "amount"],
    [{ amount: -5, reference: "r", type: "topup" }, "amount"],
    [{ amount: 5, type: "topup" }, "reference"],
    [{ amount: 5, reference: "", type: "topup" }, "reference"],
    [{ amount: 5, reference: "x".repeat(129), type: "topup" }, "reference"],
    [{ amount: 5, reference: "r" }, "type"],
    [{ amount: 5, reference: "r", type: "refund" }, "type"],
    [{ amount: 5, reference: "r", type: "topup", tenant: "t-other" }, "tenant"],
  ])("%j -> 400 naming %s, and the balance is untouched", async (body, param) => {
    const { key_id } = await createKey({ tenant: "t-main" });
    const res = await adminPost(`/admin/keys/${key_id}/credits`, body);
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ code: "invalid_request", param });
    const balance = (await (await admin(`/admin/keys/${key_id}/balance`)).json()) as { credited: number };
    expect(balance.credited).toBe(0);
  });

  it("the largest allowed amount is accepted", async () => {
    const { key_id } = await createKey({ tenant: "t-main" });
    const res = await adminPost(`/admin/keys/${key_id}/credits`, { amount: 1e15, reference: "max", type: "topup" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ balance: 1e15 });
  });
});

describe("query parameters", () => {
  it.each([
    ["/admin/keys", "tenant"],
    ["/admin/keys?tenant=t-main&extra=1", "extra"],
    ["/admin/usage", "tenant"],
    ["/admin/usage?tenant=t-main&limit=0", "limit"],
    ["/admin/usage?tenant=t-main&limit=1001", "limit"],
    ["/admin/usage?tenant=t-main&limit=ten", "limit"],
    ["/admin/usage?tenant=t-main&since=yesterday", "since"],
    ["/admin/usage?tenant=t-main&keyid=x", "keyid"],
    ["/admin/accounts/test-main/entries?tenant=t-main&bogus=1", "bogus"],
    ["/admin/accounts/test-main/balance", "tenant"],
  ])("%s -> 400 naming %s", async (path, param) => {
    const res = await admin(path);
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ code: "invalid_request", param });
  });

  it.each([["limit=0"], ["limit=-1"], ["before_seq=0"], ["before_seq=abc"]])("entries?%s -> 400", async (query) => {
    const { key_id } = await createKey({ tenant: "t-main" });
    const res = await admin(`/admin/keys/${key_id}/entries?${query}`);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe("invalid_request");
  });

  it("unknown tenant in usage and key lists -> 404", async () => {
    expect((await admin("/admin/usage?tenant=nope")).status).toBe(404);
    expect((await admin("/admin/keys?tenant=nope")).status).toBe(404);
  });
});

describe("/admin/accounts/:account", () => {
  const credit = { amount: 5, reference: "r", type: "topup" };

  it("an account that is neither jwt:<subject> nor a static key -> 404 naming account", async () => {
    const { key_id } = await createKey({ tenant: "t-main" });
    for (const account of ["someone", key_id, "jwt:"]) {
      const res = await adminPost(`/admin/accounts/${encodeURIComponent(account)}/credits`, {
        tenant: "t-main",
        ...credit,
      });
      expect(res.status).toBe(404);
      expect(await errorOf(res)).toMatchObject({ code: "not_found", param: "account" });
    }
  });

  it("a JWT account in a tenant without JWTs, or a static key of another tenant -> 400 naming tenant", async () => {
    const jwt = await adminPost(`/admin/accounts/${encodeURIComponent("jwt:alice")}/credits`, {
      tenant: "t-main",
      ...credit,
    });
    expect(jwt.status).toBe(400);
    expect(await errorOf(jwt)).toMatchObject({ code: "invalid_request", param: "tenant" });
    const staticKey = await adminPost("/admin/accounts/test-main/credits", { tenant: "t-restricted", ...credit });
    expect(staticKey.status).toBe(400);
    expect(await errorOf(staticKey)).toMatchObject({ code: "invalid_request", param: "tenant" });
  });

  it("tenant is required, and must exist", async () => {
    const missing = await adminPost("/admin/accounts/test-main/credits", credit);
    expect(await errorOf(missing)).toMatchObject({ code: "invalid_request", param: "tenant" });
    const unknown = await admin("/admin/accounts/test-main/balance?tenant=nope");
    expect(unknown.status).toBe(404);
  });
});

describe("routing inside /admin", () => {
  it("a wrong method on a known path -> 405 with Allow", async () => {
    const res = await admin("/admin/keys", { method: "DELETE" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST, GET");
    const revoke = await admin(`/admin/keys/${GONE_ID}/revoke`);
    expect(revoke.status).toBe(405);
    expect(revoke.headers.get("allow")).toBe("POST");
  });

  it("an unknown path -> 404 not_found", async () => {
    const res = await admin("/admin/nothing-here");
    expect(res.status).toBe(404);
    expect((await errorOf(res)).code).toBe("not_found");
  });
});
