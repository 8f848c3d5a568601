import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type JwksServer, startJwksServer } from "../../servers/jwks";

let server: JwksServer | undefined;
const srv = (): JwksServer => {
  if (server === undefined) throw new Error("server not started");
  return server;
};

beforeAll(async () => {
  server = await startJwksServer();
});
afterAll(async () => {
  await server?.close();
});

async function getJson(url: string): Promise<{ status: number; body: JSONWebKeySet }> {
  const res = await fetch(url);
  const text = await res.text();
  return { status: res.status, body: (res.status === 200 ? JSON.parse(text) : { keys: [] }) as JSONWebKeySet };
}

describe("test JWKS server", () => {
  it("serves real public keys on 127.0.0.1 that verify the tokens it signs, counting fetches", async () => {
    expect(srv().url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/jwks\.json$/);
    srv().resetFetchCount();
    const { status, body } = await getJson(srv().url);
    expect(status).toBe(200);
    expect(body.keys.map((k) => k.kty).sort()).toEqual(["EC", "RSA"]);
    expect(JSON.stringify(body)).not.toMatch(/"d"|"p"|"q"/);
    expect(srv().fetchCount()).toBe(1);
    const set = createLocalJWKSet(body);
    for (const alg of ["RS256", "ES256"] as const) {
      const token = await srv().sign({ sub: "x" }, { alg });
      expect((await jwtVerify(token, set, { algorithms: [alg] })).payload.sub).toBe("x");
    }
  });

  it("goes down and up, rotates kids, and signs with chosen kids and headers", async () => {
    const realm = await srv().realm("direct");
    realm.setDown(true);
    expect((await getJson(realm.url)).status).toBe(503);
    realm.setDown(false);
    expect((await getJson(realm.url)).status).toBe(200);
    const before = realm.currentKids();
    await realm.rotate();
    expect(realm.currentKids().rsa).not.toBe(before.rsa);
    expect(realm.jwks().keys.map((k) => k.kid)).not.toContain(before.rsa);
    const token = await realm.sign({}, { kid: "made-up", header: { jku: "https://x.test" } });
    const header = JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString());
    expect(header).toEqual({ alg: "RS256", kid: "made-up", jku: "https://x.test" });
    const noKid = JSON.parse(
      Buffer.from((await realm.sign({}, { kid: null })).split(".")[0] ?? "", "base64url").toString(),
    );
    expect(noKid).toEqual({ alg: "RS256" });
  });

  it("keeps realms independent and drives them over the control endpoints", async () => {
    const root = srv().controlUrl;
    const control = (action: string, realm: string, body?: unknown) =>
      fetch(`${root}/__control/${action}?realm=${realm}`, {
        method: body === undefined && action === "fetch-count" ? "GET" : "POST",
        headers: { "content-type": "application/json" },
        body: body === undefined && action === "fetch-count" ? undefined : JSON.stringify(body ?? {}),
      }).then((r) => r.json() as Promise<Record<string, unknown>>);
    await control("down", "isolated");
    expect((await getJson(`${root}/realms/isolated/jwks.json`)).status).toBe(503);
    expect((await getJson(srv().url)).status).toBe(200);
    expect(await control("fetch-count", "isolated")).toEqual({ count: 1 });
    await control("mode", "isolated", { mode: "garbage" });
    const garbage = await fetch(`${root}/realms/isolated/jwks.json`);
    expect(garbage.status).toBe(200);
    expect(await garbage.text()).toBe("{not json");
    await control("up", "isolated");
    const { token } = await control("sign", "isolated", { claims: { sub: "y" }, alg: "ES256" });
    if (typeof token !== "string") throw new Error("no token");
    const set = createLocalJWKSet((await getJson(`${root}/realms/isolated/jwks.json`)).body);
    expect((await jwtVerify(token, set)).payload.sub).toBe("y");
    expect(String((await control("mode", "isolated", { mode: "sideways" })).error)).toMatch(/mode must be one of/);
  });

  it("close() does not wait for a hanging JWKS request", async () => {
    const other = await startJwksServer();
    other.setMode("hang");
    const pending = fetch(other.url).catch((error: unknown) => error);
    while (other.fetchCount() === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await other.close();
    expect(await pending).toBeInstanceOf(Error);
  });
});
