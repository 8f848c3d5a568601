import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { gw } from "../helpers/gateway";
import { adminPost, createKey } from "./admin-helpers";

/** The Worker under test trusts a key record it read for KEY_CACHE_TTL_MS (vitest.config.ts sets 1000 ms). */
const BOUND_MS = Number((env as unknown as Record<string, string>).KEY_CACHE_TTL_MS);

describe("revocation reaches every isolate within KEY_CACHE_TTL_MS", () => {
  it("a key in use (its record cached) is refused once the bound has passed after revoking it", async () => {
    expect(BOUND_MS).toBeGreaterThan(0);
    const created = await createKey({ tenant: "t-main" });
    // Use it, so this isolate caches its record.
    expect((await gw("/v1/models", { key: created.key })).status).toBe(200);
    const revoked = await adminPost(`/admin/keys/${created.key_id}/revoke`, {});
    expect(revoked.status).toBe(200);
    await new Promise((r) => setTimeout(r, BOUND_MS + 250));
    const res = await gw("/v1/models", { key: created.key });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("key_revoked");
  });

  it("a key created a moment ago works at once (unknown ids are not cached)", async () => {
    const created = await createKey({ tenant: "t-main" });
    expect((await gw("/v1/models", { key: created.key })).status).toBe(200);
  });
});
