import { describe, expect, it } from "vitest";
import { gw } from "../helpers/gateway";
import { adminPost, billOne, createKey, errorOf, topUp } from "./admin-helpers";

interface UsageList {
  data: { request_id: string; key_id: string; tenant: string }[];
}

async function ownUsage(key: string, query = ""): Promise<string[]> {
  const res = await gw(`/v1/usage${query}`, { key });
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as UsageList).data.map((e) => e.request_id);
}

describe("the tenant API only ever shows the caller's own account", () => {
  it("tenant A's key cannot read tenant B's usage, nor another key's of its own tenant", async () => {
    const [a, a2, b] = await Promise.all([
      createKey({ tenant: "t-main" }),
      createKey({ tenant: "t-main" }),
      createKey({ tenant: "t-restricted" }),
    ]);
    await Promise.all([topUp(a.key_id, 10_000), topUp(a2.key_id, 10_000), topUp(b.key_id, 10_000)]);
    const ofA = await billOne(a.key_id, "t-main", "m-openai");
    const ofA2 = await billOne(a2.key_id, "t-main", "m-openai");
    const ofB = await billOne(b.key_id, "t-restricted", "m-origin");

    expect(await ownUsage(a.key)).toEqual([ofA]);
    expect(await ownUsage(a2.key)).toEqual([ofA2]);
    expect(await ownUsage(b.key)).toEqual([ofB]);
  });

  it("refuses parameters that would name another tenant or key", async () => {
    const a = await createKey({ tenant: "t-main" });
    const b = await createKey({ tenant: "t-restricted" });
    for (const query of [`?tenant=t-restricted`, `?key_id=${b.key_id}`, `?account=${b.key_id}`]) {
      const res = await gw(`/v1/usage${query}`, { key: a.key });
      expect(res.status).toBe(400);
      expect((await errorOf(res)).code).toBe("invalid_request");
    }
  });

  it("a balance is the caller's own, whatever the request says", async () => {
    const a = await createKey({ tenant: "t-main" });
    const b = await createKey({ tenant: "t-restricted" });
    await adminPost(`/admin/keys/${b.key_id}/credits`, { amount: 777, reference: "b", type: "topup" });
    const res = await gw(`/v1/balance?key_id=${b.key_id}&tenant=t-restricted`, {
      key: a.key,
      headers: { "x-tenant-id": "t-restricted" },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ account_id: a.key_id, tenant: "t-main", balance: 0 });
  });

  it("without a credential, or with a revoked key -> 401 and nothing shown", async () => {
    for (const path of ["/v1/balance", "/v1/usage"]) {
      const res = await gw(path, { key: null });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    }
    const revoked = await createKey({ tenant: "t-main" });
    await adminPost(`/admin/keys/${revoked.key_id}/revoke`, {});
    expect((await gw("/v1/balance", { key: revoked.key })).status).toBe(401);
  });

  it("the admin secret does not read a tenant balance", async () => {
    const res = await gw("/v1/balance", { key: "test-admin-secret-0123456789" });
    expect(res.status).toBe(401);
  });
});

describe("GET /v1/usage: refused queries", () => {
  it.each([["limit=0"], ["limit=1001"], ["limit=x"], ["since=soon"]])("?%s -> 400", async (query) => {
    const a = await createKey({ tenant: "t-main" });
    const res = await gw(`/v1/usage?${query}`, { key: a.key });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe("invalid_request");
  });
});
