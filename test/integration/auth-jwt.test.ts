import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { verifyTenantJwt } from "../../src/auth/jwt";
import { JwksCache } from "../../src/auth/jwt-cache";
import type { CompiledPolicy } from "../../src/policy/types";
import generated from "../.generated/policy.json";
import { REMOTE_JWT } from "../fixtures/jwt-keys";
import { jwksControl } from "../unit/auth/jwks-control";
import { jwtScenarios } from "../unit/auth/jwt-scenarios";

/**
 * JWT verification inside workerd against the real JWKS server (test/servers/jwks.ts), driven over its control
 * endpoints. The global setup starts the server and binds `JWKS_URL` (its default realm's endpoint, used by the
 * Worker for tenant t-jwt) and `JWKS_CONTROL_URL` (its root); each scenario works in a realm of its own.
 */

const vars = env as unknown as Record<string, unknown>;
const controlUrl = vars.JWKS_CONTROL_URL;
const policy = generated as unknown as CompiledPolicy;

if (typeof controlUrl === "string" && controlUrl !== "") {
  describe("the Worker's JWKS_URL binding", () => {
    it("points t-jwt at the test server's default realm", async () => {
      const now = Math.floor(Date.now() / 1000);
      const token = await jwksControl(controlUrl, "default").sign({
        iss: REMOTE_JWT.issuer,
        aud: REMOTE_JWT.audience,
        sub: "binding-check",
        iat: now,
        exp: now + 60,
      });
      const verdict = await verifyTenantJwt(token, policy, {
        fetch: (input, init) => fetch(input, init),
        now: () => Date.now(),
        vars: (name) => (typeof vars[name] === "string" ? (vars[name] as string) : undefined),
        jwks: new JwksCache(),
      });
      expect(verdict).toMatchObject({ ok: true, tenantId: REMOTE_JWT.tenant, subject: "binding-check" });
    });
  });
  jwtScenarios(() => ({ policy, controlUrl }));
} else {
  describe("tenant JWTs inside workerd", () => {
    // A missing binding is a broken setup, not a reason to pass: the scenarios above would silently not run.
    it("needs the JWKS_CONTROL_URL binding (test JWKS server started by the global setup)", () => {
      expect(String(controlUrl), "JWKS_CONTROL_URL binding").toMatch(/^https?:\/\//);
    });
  });
}
