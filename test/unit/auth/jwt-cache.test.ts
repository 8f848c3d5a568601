import { exportJWK, generateKeyPair, type JWK, jwtVerify, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { JwksCache } from "../../../src/auth/jwt-cache";

/**
 * The JWKS cache against an in-memory endpoint (a `fetch` stand-in), so its rules are checked in workerd without
 * the test server: fetch budget, cooldown, backoff, and what a JWKS response may contain.
 */

const URL_A = "https://issuer.example/jwks.json";

async function keyPair(kid: string) {
  const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: "ES256" } as JWK };
}

function endpoint(initial: { status?: number; body: unknown }) {
  let reply = initial;
  const calls: { url: string; init?: RequestInit }[] = [];
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    calls.push({ url: String(input), init });
    const body = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
    return new Response(body, { status: reply.status ?? 200, headers: { "content-type": "application/json" } });
  };
  return {
    calls,
    set(next: { status?: number; body: unknown }) {
      reply = next;
    },
    fetch: fetchImpl as typeof fetch,
  };
}

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe("JwksCache", () => {
  it("fetches once, then serves from cache until max age; GETs with redirect manual and a timeout", async () => {
    const a = await keyPair("a");
    const server = endpoint({ body: { keys: [a.jwk] } });
    const time = clock();
    const cache = new JwksCache();
    const deps = { fetch: server.fetch, now: time.now };
    for (let i = 0; i < 5; i++) expect((await cache.key(URL_A, { alg: "ES256", kid: "a" }, deps)).ok).toBe(true);
    expect(server.calls).toHaveLength(1);
    expect(server.calls[0]?.init).toMatchObject({ method: "GET", redirect: "manual" });
    expect(server.calls[0]?.init?.signal).toBeInstanceOf(AbortSignal);
    time.advance(cache.options.maxAgeMs);
    expect((await cache.key(URL_A, { alg: "ES256", kid: "a" }, deps)).ok).toBe(true);
    expect(server.calls).toHaveLength(2);
  });

  it("refetches for an unknown kid at most once per cooldown, and finds a rotated key after it", async () => {
    const [a, b] = await Promise.all([keyPair("a"), keyPair("b")]);
    const server = endpoint({ body: { keys: [a.jwk] } });
    const time = clock();
    const cache = new JwksCache();
    const deps = { fetch: server.fetch, now: time.now };
    expect((await cache.key(URL_A, { alg: "ES256", kid: "a" }, deps)).ok).toBe(true);
    server.set({ body: { keys: [b.jwk] } });
    for (let i = 0; i < 50; i++) {
      const result = await cache.key(URL_A, { alg: "ES256", kid: `x${i}` }, deps);
      expect(result).toMatchObject({ ok: false, code: "unauthorized" });
    }
    expect(server.calls).toHaveLength(1);
    time.advance(cache.options.cooldownMs);
    expect((await cache.key(URL_A, { alg: "ES256", kid: "b" }, deps)).ok).toBe(true);
    expect(server.calls).toHaveLength(2);
    // The key is usable: a token signed by it verifies with the returned CryptoKey.
    const found = await cache.key(URL_A, { alg: "ES256", kid: "b" }, deps);
    if (!found.ok) throw new Error(found.message);
    const token = await new SignJWT({ sub: "u" }).setProtectedHeader({ alg: "ES256", kid: "b" }).sign(b.privateKey);
    expect((await jwtVerify(token, found.key)).payload.sub).toBe("u");
    const byA = await new SignJWT({ sub: "u" }).setProtectedHeader({ alg: "ES256", kid: "b" }).sign(a.privateKey);
    await expect(jwtVerify(byA, found.key)).rejects.toThrow();
  });

  it.each([
    ["HTTP 500", { status: 500, body: { keys: [] } }],
    ["a redirect", { status: 302, body: "" }],
    ["a body that is not JSON", { body: "{nope" }],
    ["JSON without keys", { body: { nope: [] } }],
    ["an oversized body", { body: { keys: [], pad: "x".repeat(300 * 1024) } }],
  ])("%s with nothing cached is jwks_unavailable, and is not retried during the backoff", async (_, reply) => {
    const server = endpoint(reply);
    const time = clock();
    const cache = new JwksCache();
    const deps = { fetch: server.fetch, now: time.now };
    for (let i = 0; i < 3; i++) {
      expect(await cache.key(URL_A, { alg: "ES256", kid: "a" }, deps)).toMatchObject({
        ok: false,
        code: "jwks_unavailable",
      });
    }
    expect(server.calls).toHaveLength(1);
    time.advance(cache.options.failureBackoffMs);
    await cache.key(URL_A, { alg: "ES256", kid: "a" }, deps);
    expect(server.calls).toHaveLength(2);
  });

  it.each([
    ["answers", true],
    ["is down", false],
  ])("30 concurrent lookups on a cold cache share one fetch while the endpoint %s", async (_, up) => {
    const a = await keyPair("a");
    const calls: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const fetchImpl = (async (input: RequestInfo | URL) => {
      calls.push(String(input));
      await gate;
      return up ? Response.json({ keys: [a.jwk] }) : new Response("down", { status: 503 });
    }) as typeof fetch;
    const cache = new JwksCache();
    const deps = { fetch: fetchImpl, now: () => 1_000_000 };
    const lookups = Array.from({ length: 30 }, () => cache.key(URL_A, { alg: "ES256", kid: "a" }, deps));
    release();
    const results = await Promise.all(lookups);
    expect(calls).toHaveLength(1);
    for (const r of results) expect(r.ok ? "ok" : r.code).toBe(up ? "ok" : "jwks_unavailable");
  });

  it("a waiter whose shared fetch never settles (its request ended) fetches for itself", async () => {
    const a = await keyPair("a");
    let calls = 0;
    const fetchImpl = (async () => {
      calls++;
      // The first fetch belongs to a request that went away: it never settles, whatever its signal says.
      if (calls === 1) return new Promise<Response>(() => undefined);
      return Response.json({ keys: [a.jwk] });
    }) as typeof fetch;
    const cache = new JwksCache({ timeoutMs: 20 });
    const deps = { fetch: fetchImpl, now: () => 1_000_000 };
    void cache.key(URL_A, { alg: "ES256", kid: "a" }, deps);
    const waiter = await cache.key(URL_A, { alg: "ES256", kid: "a" }, deps);
    expect(waiter.ok).toBe(true);
    expect(calls).toBe(2);
  });

  it("a fetch that throws (unreachable) is jwks_unavailable", async () => {
    const cache = new JwksCache();
    const result = await cache.key(
      URL_A,
      { alg: "ES256" },
      {
        fetch: (() => Promise.reject(new TypeError("connection refused"))) as typeof fetch,
        now: () => 0,
      },
    );
    expect(result).toMatchObject({ ok: false, code: "jwks_unavailable" });
  });

  it("drops private, symmetric and encryption keys from a JWKS response", async () => {
    const a = await keyPair("a");
    const { privateKey } = await generateKeyPair("ES256", { extractable: true });
    const privateJwk = { ...(await exportJWK(privateKey)), kid: "priv", alg: "ES256" };
    const server = endpoint({
      body: {
        keys: [
          a.jwk,
          privateJwk,
          { kty: "oct", kid: "hmac", k: "c2VjcmV0", alg: "HS256" },
          { ...a.jwk, kid: "enc", use: "enc" },
        ],
      },
    });
    const cache = new JwksCache();
    const deps = { fetch: server.fetch, now: () => 0 };
    expect((await cache.key(URL_A, { alg: "ES256", kid: "a" }, deps)).ok).toBe(true);
    for (const kid of ["priv", "enc"]) {
      expect(await cache.key(URL_A, { alg: "ES256", kid }, deps)).toMatchObject({ ok: false, code: "unauthorized" });
    }
    expect(await cache.key(URL_A, { alg: "HS256", kid: "hmac" }, deps)).toMatchObject({
      ok: false,
      code: "unauthorized",
    });
  });

  it("refuses an ambiguous lookup (no kid, several candidate keys)", async () => {
    const [a, b] = await Promise.all([keyPair("a"), keyPair("b")]);
    const server = endpoint({ body: { keys: [a.jwk, b.jwk] } });
    const cache = new JwksCache();
    const result = await cache.key(URL_A, { alg: "ES256" }, { fetch: server.fetch, now: () => 0 });
    expect(result).toMatchObject({ ok: false, code: "unauthorized", message: expect.stringMatching(/no kid/) });
  });
});
