/**
 * Google's OAuth token endpoint for service accounts (`POST /oauth2/token`, JWT-bearer grant) and the bearer check
 * Vertex AI does on every call. The assertion's RS256 signature is verified with node:crypto against the service
 * account's public key (independently of the Worker's `jose`), its claims are checked as Google checks them, and
 * issued tokens expire. `POST /oauth2/__expire` expires every issued token at once, so a test can see a cached token
 * refused (401) and refreshed.
 */
import { createVerify, randomBytes } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { makeServiceAccount, type ServiceAccount } from "./cloud-credentials";
import { geminiErrorBody } from "./errors";
import type { Outcome } from "./outcome";

const SCOPE = "https://www.googleapis.com/auth/cloud-platform";
const TOKEN_TTL_S = 3600;

export interface GoogleOAuthFake {
  serviceAccount: ServiceAccount;
  tokenPath: string;
  /** The answer to a token request (form-encoded body). */
  exchange(body: string): Outcome;
  /** undefined when the request carries a live token; else the 401 Google sends. */
  checkBearer(headers: IncomingHttpHeaders): Outcome | undefined;
  expireAll(): void;
  exchanges(): number;
}

function oauthError(status: number, error: string, description: string): Outcome {
  return { kind: "json", status, body: { error, error_description: description } };
}

function b64json(part: string | undefined): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part ?? "", "base64url").toString("utf8"));
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function startGoogleOAuthFake(baseUrl: string): GoogleOAuthFake {
  const tokenPath = "/oauth2/token";
  const serviceAccount = makeServiceAccount(`${baseUrl}${tokenPath}`);
  const tokens = new Map<string, number>();
  let exchanged = 0;

  function verifyAssertion(jwt: string): string | undefined {
    const parts = jwt.split(".");
    if (parts.length !== 3) return "assertion is not a compact JWS";
    const [h, p, sig = ""] = parts;
    const header = b64json(h);
    const claims = b64json(p);
    if (header?.alg !== "RS256") return "assertion must be RS256";
    const verifier = createVerify("RSA-SHA256");
    verifier.update(`${h}.${p}`);
    if (!verifier.verify(serviceAccount.publicKeyPem, Buffer.from(sig, "base64url"))) return "Invalid JWT Signature.";
    const now = Math.floor(Date.now() / 1000);
    if (claims?.iss !== serviceAccount.clientEmail) return "iss is not the service account";
    if (claims.aud !== `${baseUrl}${tokenPath}`) return "aud is not the token endpoint";
    if (claims.scope !== SCOPE) return "scope is not cloud-platform";
    const iat = claims.iat;
    const exp = claims.exp;
    if (typeof iat !== "number" || typeof exp !== "number") return "iat and exp are required";
    if (iat > now + 60 || exp <= now || exp - iat > 3600) return "Invalid JWT: token must be a short-lived token";
    return undefined;
  }

  return {
    serviceAccount,
    tokenPath,
    exchange(body) {
      const form = new URLSearchParams(body);
      if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:jwt-bearer") {
        return oauthError(400, "unsupported_grant_type", "Invalid grant_type");
      }
      const problem = verifyAssertion(form.get("assertion") ?? "");
      if (problem !== undefined) return oauthError(400, "invalid_grant", problem);
      exchanged += 1;
      const token = `ya29.fake-${randomBytes(12).toString("hex")}`;
      tokens.set(token, Date.now() + TOKEN_TTL_S * 1000);
      return {
        kind: "json",
        status: 200,
        body: { access_token: token, expires_in: TOKEN_TTL_S, token_type: "Bearer" },
      };
    },
    checkBearer(headers) {
      const auth = headers.authorization ?? "";
      const token = auth.startsWith("Bearer ") ? auth.slice(7) : "";
      const expiresAt = tokens.get(token);
      if (expiresAt !== undefined && Date.now() < expiresAt) return undefined;
      const message =
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid " +
        "authentication credential.";
      return { kind: "json", status: 401, body: geminiErrorBody(401, message) };
    },
    expireAll() {
      for (const token of tokens.keys()) tokens.set(token, 0);
    },
    exchanges: () => exchanged,
  };
}
