import { base64url, exportSPKI, importJWK, type JWTPayload, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { type JwtVerdict, verifyTenantJwt } from "../../../src/auth/jwt";
import { JwksCache, type JwksCacheOptions } from "../../../src/auth/jwt-cache";
import type { CompiledPolicy } from "../../../src/policy/types";
import { REMOTE_JWT, STATIC_JWT } from "../../fixtures/jwt-keys";
import { type JwksControl, jwksControl, uniqueRealm } from "./jwks-control";

/**
 * JWT verification scenarios against the real test JWKS server, shared by the Node suite (test/node/jwks) and the
 * workerd suite (test/integration/auth-jwt.test.ts). Each test gets its own server realm (keys, mode, fetch count)
 * and its own cache and clock, so tests neither share state nor depend on wall-clock time.
 */

const encoder = new TextEncoder();
const b64json = (value: unknown) => base64url.encode(encoder.encode(JSON.stringify(value)));

export interface ScenarioSetup {
  policy: CompiledPolicy;
  /** Root of the JWKS server (`JWKS_CONTROL_URL`). */
  controlUrl: string;
}

function harness(setup: ScenarioSetup, cacheOptions: JwksCacheOptions = {}) {
  const realm: JwksControl = jwksControl(setup.controlUrl, uniqueRealm("jwt"));
  let nowMs = Math.floor(Date.now() / 1000) * 1000;
  const nowS = () => Math.floor(nowMs / 1000);
  const cache = new JwksCache(cacheOptions);
  const deps = {
    fetch: (input: RequestInfo | URL, init?: RequestInit) => fetch(input, init),
    now: () => nowMs,
    vars: (name: string) => (name === "JWKS_URL" ? realm.url : undefined),
    jwks: cache,
  };
  return {
    realm,
    advance(ms: number) {
      nowMs += ms;
    },
    nowS,
    claims: (extra: JWTPayload = {}): JWTPayload => ({
      iss: REMOTE_JWT.issuer,
      aud: REMOTE_JWT.audience,
      sub: "user-42",
      iat: nowS(),
      exp: nowS() + 300,
      ...extra,
    }),
    verify: (token: string) => verifyTenantJwt(token, setup.policy, deps),
  };
}

/** A refusal with the expected code and message, that echoes no part of the token. */
export function expectRefused(
  verdict: JwtVerdict,
  code: "unauthorized" | "jwks_unavailable",
  message: RegExp,
  token = "",
) {
  expect(verdict.ok).toBe(false);
  if (verdict.ok) return;
  expect(verdict.code).toBe(code);
  expect(verdict.message).toMatch(message);
  for (const part of token.split(".").filter((p) => p.length >= 8)) expect(verdict.message).not.toContain(part);
}

export function jwtScenarios(getSetup: () => ScenarioSetup): void {
  describe("tenant JWTs from a JWKS endpoint", () => {
    it("accepts a valid RS256 or ES256 token: tenant from iss, subject from sub, one JWKS fetch", async () => {
      const h = harness(getSetup());
      for (const alg of ["RS256", "ES256"] as const) {
        const verdict = await h.verify(await h.realm.sign(h.claims(), { alg }));
        expect(verdict).toMatchObject({ ok: true, tenantId: REMOTE_JWT.tenant, subject: "user-42" });
      }
      expect(await h.realm.fetchCount()).toBe(1);
    });

    it("refuses alg none before any key lookup", async () => {
      const h = harness(getSetup());
      const { kids } = await h.realm.jwks();
      const token = `${b64json({ alg: "none", kid: kids.rsa })}.${b64json(h.claims())}.`;
      expectRefused(await h.verify(token), "unauthorized", /algorithm is not accepted/, token);
      const noSig = `${b64json({ alg: "none" })}.${b64json(h.claims())}`;
      expectRefused(await h.verify(noSig), "unauthorized", /Malformed/, noSig);
      expect(await h.realm.fetchCount()).toBe(0);
    });

    it("refuses HS256 signed with the issuer's RSA public key as the HMAC secret (key confusion)", async () => {
      const h = harness(getSetup());
      const set = await h.realm.jwks();
      const rsa = set.keys.find((k) => k.kty === "RSA");
      if (rsa === undefined) throw new Error("the realm has no RSA key");
      const pem = await exportSPKI((await importJWK(rsa, "RS256")) as CryptoKey);
      for (const secret of [pem, JSON.stringify(rsa), rsa.n ?? ""]) {
        const token = await new SignJWT(h.claims())
          .setProtectedHeader({ alg: "HS256", kid: set.kids.rsa })
          .sign(encoder.encode(secret));
        expectRefused(await h.verify(token), "unauthorized", /algorithm is not accepted/, token);
      }
      expect(await h.realm.fetchCount()).toBe(0);
    });

    it("refuses a token without exp", async () => {
      const h = harness(getSetup());
      const token = await h.realm.sign(h.claims({ exp: undefined }));
      expectRefused(await h.verify(token), "unauthorized", /lacks the required "exp" claim/, token);
    });

    it("refuses an expired token, beyond the 30 s clock tolerance only", async () => {
      const h = harness(getSetup());
      const expired = await h.realm.sign(h.claims({ iat: h.nowS() - 600, exp: h.nowS() - 31 }));
      expectRefused(await h.verify(expired), "unauthorized", /has expired/, expired);
      const withinSkew = await h.realm.sign(h.claims({ iat: h.nowS() - 600, exp: h.nowS() - 20 }));
      expect((await h.verify(withinSkew)).ok).toBe(true);
    });

    it("refuses nbf in the future beyond the tolerance, and iat in the future", async () => {
      const h = harness(getSetup());
      const early = await h.realm.sign(h.claims({ nbf: h.nowS() + 60 }));
      expectRefused(await h.verify(early), "unauthorized", /not valid yet/, early);
      const skewed = await h.realm.sign(h.claims({ nbf: h.nowS() + 20 }));
      expect((await h.verify(skewed)).ok).toBe(true);
      const future = await h.realm.sign(h.claims({ iat: h.nowS() + 120 }));
      expectRefused(await h.verify(future), "unauthorized", /issue time \(iat\) is in the future/, future);
    });

    it("refuses a wrong audience, accepting one match in a list", async () => {
      const h = harness(getSetup());
      const wrong = await h.realm.sign(h.claims({ aud: "someone-else" }));
      expectRefused(await h.verify(wrong), "unauthorized", /audience is not accepted/, wrong);
      const list = await h.realm.sign(h.claims({ aud: ["someone-else", REMOTE_JWT.audience] }));
      expect((await h.verify(list)).ok).toBe(true);
    });

    it("refuses an unknown issuer without fetching, and another tenant's issuer with this issuer's key", async () => {
      const h = harness(getSetup());
      const unknown = await h.realm.sign(h.claims({ iss: "https://evil.test" }));
      expectRefused(await h.verify(unknown), "unauthorized", /issuer is not accepted/, unknown);
      const noIss = await h.realm.sign(h.claims({ iss: undefined }));
      expectRefused(await h.verify(noIss), "unauthorized", /no issuer/, noIss);
      expect(await h.realm.fetchCount()).toBe(0);
      // Claims the static tenant's issuer but is signed by the JWKS realm's key: no such key there.
      const wrongIss = await h.realm.sign(h.claims({ iss: STATIC_JWT.issuer, aud: STATIC_JWT.audience }), {
        alg: "ES256",
      });
      expectRefused(await h.verify(wrongIss), "unauthorized", /kid\) is not known/, wrongIss);
    });

    it("refuses a token whose payload was altered after signing", async () => {
      const h = harness(getSetup());
      const [head, , sig] = (await h.realm.sign(h.claims())).split(".");
      const forged = `${head}.${b64json(h.claims({ sub: "admin" }))}.${sig}`;
      expectRefused(await h.verify(forged), "unauthorized", /signature is invalid/, forged);
    });

    it("refuses embedded keys and key URLs (jwk, jku, x5u, x5c) and crit, without fetching", async () => {
      const h = harness(getSetup());
      const set = await h.realm.jwks();
      const rsa = set.keys.find((k) => k.kty === "RSA");
      const headers: Record<string, unknown>[] = [
        { jwk: rsa },
        { jku: "https://evil.test/jwks.json" },
        { x5u: "https://evil.test/cert.pem" },
        { x5c: ["MIIBfake"] },
        { crit: ["x-ext"], "x-ext": true },
      ];
      for (const header of headers) {
        const token = await h.realm.sign(h.claims(), { header });
        expectRefused(await h.verify(token), "unauthorized", /never trusted/, token);
      }
      expect(await h.realm.fetchCount()).toBe(0);
    });

    it("an unknown-kid storm costs at most one JWKS fetch per cooldown", async () => {
      const h = harness(getSetup());
      for (let i = 0; i < 100; i++) {
        const token = await h.realm.sign(h.claims(), { kid: `made-up-${i}-${crypto.randomUUID()}` });
        expectRefused(await h.verify(token), "unauthorized", /kid\) is not known/, token);
      }
      expect(await h.realm.fetchCount()).toBe(1);
      const tokens = await Promise.all(
        Array.from({ length: 100 }, () => h.realm.sign(h.claims(), { kid: crypto.randomUUID() })),
      );
      const verdicts = await Promise.all(tokens.map((t) => h.verify(t)));
      expect(verdicts.every((v) => !v.ok && v.code === "unauthorized")).toBe(true);
      expect(await h.realm.fetchCount()).toBe(1);
      // After the cooldown, one more made-up kid may refetch once; the rest of the storm may not.
      h.advance(31_000);
      for (let i = 0; i < 20; i++) await h.verify(await h.realm.sign(h.claims(), { kid: crypto.randomUUID() }));
      expect(await h.realm.fetchCount()).toBe(2);
    });

    it("picks up a rotated key with one refetch once the cooldown has passed", async () => {
      const h = harness(getSetup());
      const before = await h.realm.sign(h.claims());
      expect((await h.verify(before)).ok).toBe(true);
      await h.realm.rotate();
      h.advance(5_000);
      const rotated = await h.realm.sign(h.claims());
      expectRefused(await h.verify(rotated), "unauthorized", /kid\) is not known/, rotated);
      expect(await h.realm.fetchCount()).toBe(1);
      h.advance(30_000);
      expect(await h.verify(await h.realm.sign(h.claims()))).toMatchObject({ ok: true, tenantId: REMOTE_JWT.tenant });
      expect(await h.realm.fetchCount()).toBe(2);
      // The retired key left the set: tokens it signed stop verifying once the new set is in.
      expectRefused(await h.verify(before), "unauthorized", /kid\) is not known/, before);
    });

    it("JWKS down with an empty cache: jwks_unavailable (never allow), no refetch during backoff, recovers", async () => {
      const h = harness(getSetup());
      await h.realm.setMode("down");
      const token = await h.realm.sign(h.claims());
      expectRefused(await h.verify(token), "jwks_unavailable", /could not be fetched/, token);
      expectRefused(await h.verify(token), "jwks_unavailable", /could not be fetched/, token);
      expect(await h.realm.fetchCount()).toBe(1);
      await h.realm.setMode("ok");
      h.advance(6_000);
      expect((await h.verify(token)).ok).toBe(true);
      expect(await h.realm.fetchCount()).toBe(2);
    });

    it("30 concurrent verifications on a cold cache cost one JWKS fetch, up or down", async () => {
      const up = harness(getSetup());
      const token = await up.realm.sign(up.claims());
      const verdicts = await Promise.all(Array.from({ length: 30 }, () => up.verify(token)));
      expect(verdicts.every((v) => v.ok)).toBe(true);
      expect(await up.realm.fetchCount()).toBe(1);
      const down = harness(getSetup());
      await down.realm.setMode("down");
      const refused = await Promise.all(Array.from({ length: 30 }, async () => down.verify(token)));
      for (const v of refused) expectRefused(v, "jwks_unavailable", /could not be fetched/, token);
      expect(await down.realm.fetchCount()).toBe(1);
    });

    it("JWKS answering garbage or timing out: jwks_unavailable", async () => {
      const h = harness(getSetup(), { timeoutMs: 300, failureBackoffMs: 0 });
      const token = await h.realm.sign(h.claims());
      await h.realm.setMode("garbage");
      expectRefused(await h.verify(token), "jwks_unavailable", /could not be fetched/, token);
      await h.realm.setMode("hang");
      expectRefused(await h.verify(token), "jwks_unavailable", /could not be fetched/, token);
      await h.realm.setMode("ok");
    });

    it("keeps serving a stale set while the endpoint is down, within the stale-if-error window", async () => {
      const h = harness(getSetup(), { maxAgeMs: 60_000, staleIfErrorMs: 120_000, failureBackoffMs: 0 });
      const token = () => h.realm.sign(h.claims());
      expect((await h.verify(await token())).ok).toBe(true);
      await h.realm.setMode("down");
      h.advance(90_000);
      expect((await h.verify(await token())).ok).toBe(true);
      h.advance(100_000);
      expectRefused(await h.verify(await token()), "jwks_unavailable", /could not be fetched/);
      await h.realm.setMode("ok");
    });

    it.each([
      ["JWT", true],
      ["jwt", true],
      ["application/JWT", true],
      ["at+jwt", true],
      ["application/at+jwt", true],
      ["JWE", false],
      ["refresh+jwt", false],
      ["id+jwt", false],
      ["secevent+jwt", false],
    ])("typ %s is %s by the default token_types (JWT, at+jwt)", async (typ, accepted) => {
      const h = harness(getSetup());
      const token = await h.realm.sign(h.claims(), { header: { typ } });
      if (accepted) expect((await h.verify(token)).ok).toBe(true);
      else expectRefused(await h.verify(token), "unauthorized", /type \(typ\) is not accepted/, token);
    });

    it("refuses a typ that is not a string", async () => {
      const h = harness(getSetup());
      const token = await h.realm.sign(h.claims(), { header: { typ: 7 } });
      expectRefused(await h.verify(token), "unauthorized", /invalid typ/, token);
    });

    it("refuses garbage credentials as unauthorized without fetching", async () => {
      const h = harness(getSetup());
      for (const token of [
        "",
        "abc",
        "a.b",
        "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln",
        `eyJ${"A".repeat(20_000)}.e30.x`,
      ]) {
        expectRefused(await h.verify(token), "unauthorized", /Malformed|too large|no issuer/, token);
      }
      expect(await h.realm.fetchCount()).toBe(0);
    });
  });

  describe("tenant JWTs with static keys in the policy", () => {
    const sign = async (claims: JWTPayload, kid: string | null = STATIC_JWT.kid) => {
      const key = await importJWK(STATIC_JWT.privateJwk, "ES256");
      return new SignJWT(claims).setProtectedHeader({ alg: "ES256", ...(kid === null ? {} : { kid }) }).sign(key);
    };
    const claims = (nowS: number, extra: JWTPayload = {}): JWTPayload => ({
      iss: STATIC_JWT.issuer,
      aud: "gateway-other",
      uid: "end-user-7",
      scope_ok: true,
      iat: nowS,
      exp: nowS + 300,
      ...extra,
    });

    it("verifies with the policy's key: subject from subject_claim, no fetch at all", async () => {
      const h = harness(getSetup());
      let fetched = 0;
      const verdict = await verifyTenantJwt(await sign(claims(h.nowS())), getSetup().policy, {
        fetch: () => {
          fetched++;
          return Promise.reject(new Error("no fetch expected"));
        },
        now: () => h.nowS() * 1000,
      });
      expect(verdict).toMatchObject({ ok: true, tenantId: STATIC_JWT.tenant, subject: "end-user-7" });
      expect(fetched).toBe(0);
      expect((await h.verify(await sign(claims(h.nowS()), null))).ok).toBe(true);
    });

    it("enforces required_claims, subject_claim and max_token_age_s", async () => {
      const h = harness(getSetup());
      const now = h.nowS();
      const cases: [JWTPayload, RegExp][] = [
        [{ scope_ok: false }, /claim "scope_ok" does not have the required value/],
        [{ scope_ok: undefined }, /claim "scope_ok" does not have the required value/],
        [{ uid: undefined }, /lacks the subject claim "uid"/],
        [{ uid: "" }, /lacks the subject claim "uid"/],
        [{ iat: undefined }, /lacks the required "iat" claim/],
        [{ iat: now - 4000 }, /older than this issuer allows/],
      ];
      for (const [extra, message] of cases) {
        const token = await sign(claims(now, extra));
        expectRefused(await h.verify(token), "unauthorized", message, token);
      }
      const otherKid = await sign(claims(now), "not-the-static-kid");
      expectRefused(await h.verify(otherKid), "unauthorized", /kid\) is not known/, otherKid);
      const rs = await h.realm.sign(claims(now));
      expectRefused(await h.verify(rs), "unauthorized", /algorithm is not accepted/, rs);
    });
  });
}
