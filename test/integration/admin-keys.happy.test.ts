import { describe, expect, it } from "vitest";
import { gw } from "../helpers/gateway";
import { admin, adminPost, createKey } from "./admin-helpers";

const KEY_SHAPE = /^gw_[a-z0-9]{12}_[A-Za-z0-9]{32}$/;

describe("POST /admin/keys", () => {
  it("creates a key, shows it once, and the key works for /v1 at once", async () => {
    const created = await createKey({ tenant: "t-main", name: "ci runner" });
    expect(created.key).toMatch(KEY_SHAPE);
    expect(created).toMatchObject({
      object: "api_key",
      tenant: "t-main",
      name: "ci runner",
      status: "active",
      expires_at: null,
      revoked_at: null,
      routes: null,
      scopes: [],
      tags: [],
    });
    expect(created.key.startsWith(`gw_${created.key_id}_`)).toBe(true);
    expect(created.prefix).toBe(`${created.key.slice(0, 3 + 12 + 1 + 4)}…`);
    expect(Date.parse(created.created_at)).toBeLessThanOrEqual(Date.now());
    expect(created).not.toHaveProperty("hash");

    const models = await gw("/v1/models", { key: created.key });
    expect(models.status).toBe(200);
    const ids = ((await models.json()) as { data: { id: string }[] }).data.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(["auto", "test", "m-openai"]));
  });

  it("limits a key to a subset of its tenant's routes, and keeps expiry, scopes and tags", async () => {
    const expires = new Date(Date.now() + 3_600_000).toISOString();
    const created = await createKey({
      tenant: "t-main",
      routes: ["auto", "auto"],
      expires_at: expires,
      scopes: ["chat"],
      tags: ["billing-test", "team:a"],
    });
    expect(created).toMatchObject({
      routes: ["auto"],
      expires_at: expires,
      scopes: ["chat"],
      tags: ["billing-test", "team:a"],
    });
    const models = await gw("/v1/models", { key: created.key });
    const ids = ((await models.json()) as { data: { id: string }[] }).data.map((m) => m.id);
    expect(ids).toContain("auto");
    expect(ids).not.toContain("test");
    expect(ids).not.toContain("m-flaky");
  });

  it("accepts expires_at as epoch milliseconds", async () => {
    const at = Date.now() + 86_400_000;
    const created = await createKey({ tenant: "t-restricted", expires_at: at });
    expect(created.expires_at).toBe(new Date(at).toISOString());
  });

  it("gives every key its own id and secret", async () => {
    const [a, b] = await Promise.all([createKey({ tenant: "t-main" }), createKey({ tenant: "t-main" })]);
    expect(a?.key_id).not.toBe(b?.key_id);
    expect(a?.key).not.toBe(b?.key);
  });
});

describe("GET /admin/keys and /admin/keys/:id", () => {
  it("shows the record without the key or its hash", async () => {
    const created = await createKey({ tenant: "t-main", name: "show me" });
    const res = await admin(`/admin/keys/${created.key_id}`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(created.key);
    expect(text).not.toContain(created.key.slice(16));
    const shown = JSON.parse(text) as Record<string, unknown>;
    expect(shown).not.toHaveProperty("hash");
    expect(shown).not.toHaveProperty("key");
    const { key: _key, ...withoutKey } = created;
    expect(shown).toEqual(withoutKey);
  });

  it("lists a tenant's keys, and only that tenant's", async () => {
    const mine = await createKey({ tenant: "t-restricted", name: "list-me" });
    const other = await createKey({ tenant: "t-main" });
    const res = await admin("/admin/keys?tenant=t-restricted");
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(mine.key);
    expect(text).not.toContain('"hash"');
    const body = JSON.parse(text) as { object: string; data: { key_id: string; tenant: string }[] };
    expect(body.object).toBe("list");
    expect(body.data.map((k) => k.key_id)).toContain(mine.key_id);
    expect(body.data.map((k) => k.key_id)).not.toContain(other.key_id);
    expect(body.data.every((k) => k.tenant === "t-restricted")).toBe(true);
  });
});

describe("POST /admin/keys/:id/revoke", () => {
  it("revokes: the key is refused, and a second revoke keeps the first time", async () => {
    const created = await createKey({ tenant: "t-main" });
    const first = await adminPost(`/admin/keys/${created.key_id}/revoke`, {});
    expect(first.status).toBe(200);
    const revoked = (await first.json()) as { status: string; revoked_at: string | null };
    expect(revoked.status).toBe("revoked");
    expect(revoked.revoked_at).not.toBeNull();

    const refused = await gw("/v1/models", { key: created.key });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(await refused.text()).not.toContain(created.key);

    const again = await admin(`/admin/keys/${created.key_id}/revoke`, { method: "POST" });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { revoked_at: string }).revoked_at).toBe(revoked.revoked_at);
    const shown = (await (await admin(`/admin/keys/${created.key_id}`)).json()) as { status: string };
    expect(shown.status).toBe("revoked");
  });
});
