import { afterEach, describe, expect, it, vi } from "vitest";
import { gw } from "../helpers/gateway";
import { ADMIN_SECRET_FOR_TESTS, TEST_KEYS } from "../helpers/keys";
import { admin, adminPost, createKey, errorOf, spyGateway } from "./admin-helpers";

/** Every admin route, with a body that would succeed once authenticated. */
const ROUTES: [string, string, unknown?][] = [
  ["POST", "/admin/keys", { tenant: "t-main" }],
  ["GET", "/admin/keys?tenant=t-main"],
  ["GET", "/admin/keys/abcdefabcdef"],
  ["POST", "/admin/keys/abcdefabcdef/revoke"],
  ["POST", "/admin/keys/abcdefabcdef/credits", { amount: 5, reference: "r", type: "topup" }],
  ["GET", "/admin/keys/abcdefabcdef/balance"],
  ["GET", "/admin/keys/abcdefabcdef/entries"],
  ["POST", "/admin/accounts/test-main/credits", { tenant: "t-main", amount: 5, reference: "r", type: "topup" }],
  ["GET", "/admin/accounts/test-main/balance?tenant=t-main"],
  ["GET", "/admin/accounts/test-main/entries?tenant=t-main"],
  ["GET", "/admin/usage?tenant=t-main"],
  ["GET", "/admin/not-a-route"],
];

const BAD_CREDENTIALS: [string, Record<string, string>][] = [
  ["no authorization header", {}],
  ["an empty bearer", { authorization: "Bearer " }],
  ["a wrong secret", { authorization: "Bearer test-admin-secret-0123456780" }],
  ["the secret with a suffix", { authorization: `Bearer ${ADMIN_SECRET_FOR_TESTS}x` }],
  ["a prefix of the secret", { authorization: `Bearer ${ADMIN_SECRET_FOR_TESTS.slice(0, -1)}` }],
  ["the secret in another scheme", { authorization: `Basic ${ADMIN_SECRET_FOR_TESTS}` }],
  ["the secret as x-api-key", { "x-api-key": ADMIN_SECRET_FOR_TESTS }],
  ["a static tenant key", { authorization: `Bearer ${TEST_KEYS.main.key}` }],
  ["a well-formed gateway key", { authorization: "Bearer gw_abcdefabcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }],
];

describe.each(ROUTES)("%s %s without admin credentials", (method, path, body) => {
  it.each(BAD_CREDENTIALS)("%s -> 401, WWW-Authenticate, no store call", async (_label, headers) => {
    const gateway = spyGateway();
    const init: RequestInit & { secret: null } = { method, headers, secret: null };
    if (body !== undefined) init.body = JSON.stringify(body);
    const res = await gateway.fetch(path, init);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer realm=/);
    expect(await errorOf(res)).toMatchObject({ code: "unauthorized" });
    expect(gateway.calls).toEqual([]);
  });

  it("the same request with the secret reaches the handler", async () => {
    const gateway = spyGateway();
    const init: RequestInit = { method };
    if (body !== undefined) init.body = JSON.stringify(body);
    const res = await gateway.fetch(path, init);
    expect(res.status).not.toBe(401);
  });
});

describe("admin API without a configured ADMIN_SECRET", () => {
  it("refuses everything, even a plausible secret, with no store call", async () => {
    const gateway = spyGateway({});
    for (const secret of [ADMIN_SECRET_FOR_TESTS, "", "undefined"]) {
      const res = await gateway.fetch("/admin/keys?tenant=t-main", { secret });
      expect(res.status).toBe(401);
      expect(await errorOf(res)).toMatchObject({ code: "unauthorized" });
    }
    expect(gateway.calls).toEqual([]);
  });
});

describe("the created key is shown once and never logged", () => {
  afterEach(() => vi.restoreAllMocks());

  it("appears only in the create response", async () => {
    const logged: unknown[] = [];
    for (const level of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        logged.push(...args);
      });
    }
    const gateway = spyGateway();
    const res = await gateway.fetch("/admin/keys", { method: "POST", body: JSON.stringify({ tenant: "t-main" }) });
    expect(res.status).toBe(201);
    const { key, key_id } = (await res.json()) as { key: string; key_id: string };
    const secretPart = key.slice(-32);
    const later = await Promise.all([
      gateway.fetch(`/admin/keys/${key_id}`),
      gateway.fetch("/admin/keys?tenant=t-main"),
      gateway.fetch(`/admin/keys/${key_id}/revoke`, { method: "POST" }),
    ]);
    for (const r of later) expect(await r.text()).not.toContain(secretPart);
    expect(JSON.stringify(logged.map(String))).not.toContain(secretPart);
    expect(gateway.calls).toContain("keys.create");
  });
});

describe("admin and tenant credentials stay apart (Worker under test)", () => {
  it("a gateway API key cannot call /admin, even for its own tenant", async () => {
    const created = await createKey({ tenant: "t-main" });
    expect((await gw("/v1/models", { key: created.key })).status).toBe(200);
    const res = await admin(`/admin/keys/${created.key_id}`, { secret: created.key });
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain(created.key);
    const credit = await adminPost(
      `/admin/keys/${created.key_id}/credits`,
      { amount: 1_000_000, reference: "self-grant", type: "topup" },
      { secret: created.key },
    );
    expect(credit.status).toBe(401);
    const balance = (await (await admin(`/admin/keys/${created.key_id}/balance`)).json()) as { credited: number };
    expect(balance.credited).toBe(0);
  });

  it("the admin secret is not a tenant credential for /v1", async () => {
    const res = await gw("/v1/models", { key: ADMIN_SECRET_FOR_TESTS });
    expect(res.status).toBe(401);
  });

  it("an unreachable store is a 503 with Retry-After, never a silent success", async () => {
    const gateway = spyGateway();
    gateway.setDown(true);
    const res = await gateway.fetch("/admin/keys", { method: "POST", body: JSON.stringify({ tenant: "t-main" }) });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(await errorOf(res)).toMatchObject({ code: "store_unavailable" });
  });
});
