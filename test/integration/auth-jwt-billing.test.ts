import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { REMOTE_JWT } from "../fixtures/jwt-keys";
import { gw, nonce, postJson, userMessage } from "../helpers/gateway";
import { jwksControl } from "../unit/auth/jwks-control";
import { adminPost } from "./admin-helpers";

const controlUrl = (env as unknown as Record<string, unknown>).JWKS_CONTROL_URL;

async function tokenFor(sub: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return jwksControl(String(controlUrl), "default").sign({
    iss: REMOTE_JWT.issuer,
    aud: REMOTE_JWT.audience,
    sub,
    iat: now,
    exp: now + 300,
  });
}

describe("JWT callers are billed on their subject's account", () => {
  it("an unfunded subject gets 402; funded through the admin API, it is served and its usage is its own", async () => {
    const sub = nonce("user");
    const token = await tokenFor(sub);
    const body = { model: "m-openai", messages: userMessage(`jwt ${sub}`) };

    const refused = await postJson("/v1/chat/completions", body, { key: token });
    expect(refused.status).toBe(402);

    const funded = await adminPost(`/admin/accounts/${encodeURIComponent(`jwt:${sub}`)}/credits`, {
      tenant: REMOTE_JWT.tenant,
      amount: 10_000_000,
      reference: `seed-${sub}`,
      type: "topup",
    });
    expect(funded.status).toBe(200);

    const served = await postJson("/v1/chat/completions", body, { key: token });
    expect(served.status).toBe(200);
    await served.text();
    const id = served.headers.get("x-request-id");

    let events: { request_id: string; key_id: string }[] = [];
    for (let i = 0; i < 40 && !events.some((e) => e.request_id === id); i++) {
      const res = await gw("/v1/usage?limit=20", { key: token });
      events = ((await res.json()) as { data: { request_id: string; key_id: string }[] }).data;
      if (!events.some((e) => e.request_id === id)) await new Promise((r) => setTimeout(r, 50));
    }
    expect(events.find((e) => e.request_id === id)?.key_id).toBe(`jwt:${sub}`);

    const balance = (await (await gw("/v1/balance", { key: token })).json()) as { account_id: string; billed: number };
    expect(balance.account_id).toBe(`jwt:${sub}`);
  });
});
