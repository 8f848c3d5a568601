/**
 * Google service-account credentials → short-lived OAuth access tokens, in the Worker: the service-account JSON (a
 * Worker secret) signs a JWT assertion with `jose` (RS256), which is exchanged at its `token_uri`. The token is cached
 * until shortly before it expires and refreshed ahead of that; concurrent requests share one exchange. Tokens and keys
 * never appear in logs or errors: failures name the step and the HTTP status only.
 */
import { importPKCS8, SignJWT } from "jose";
import { UpstreamProtocolError } from "../errors/upstream-protocol-error";
import type { AuthorizerFactory, Fetch, RequestAuthorizer } from "./types";

const SCOPE = "https://www.googleapis.com/auth/cloud-platform";
const ASSERTION_TTL_S = 3600;
/** Refresh this long before the stated expiry, so a token never expires on its way to Google. */
const REFRESH_MARGIN_MS = 5 * 60_000;

interface ServiceAccount {
  client_email: string;
  private_key: string;
  private_key_id?: string;
  token_uri: string;
}

function parseServiceAccount(json: string): ServiceAccount | string {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return "is not JSON (expected a service-account key file)";
  }
  const sa = value as Partial<Record<keyof ServiceAccount, unknown>> | null;
  if (typeof sa !== "object" || sa === null) return "is not a JSON object";
  for (const field of ["client_email", "private_key", "token_uri"] as const) {
    if (typeof sa[field] !== "string" || sa[field] === "") return `has no ${field}`;
  }
  const tokenUri = sa.token_uri as string;
  if (!/^https?:\/\//.test(tokenUri)) return "has a token_uri that is not an http(s) URL";
  const out: ServiceAccount = {
    client_email: sa.client_email as string,
    private_key: sa.private_key as string,
    token_uri: tokenUri,
  };
  if (typeof sa.private_key_id === "string") out.private_key_id = sa.private_key_id;
  return out;
}

interface CachedToken {
  value: string;
  refreshAt: number;
}

/** The token cache and exchange for one service account; `now` is injectable for tests. */
export class AccessTokenSource {
  private cached: CachedToken | undefined;
  private pending: Promise<CachedToken> | undefined;
  private key: Promise<CryptoKey> | undefined;

  constructor(
    private readonly sa: ServiceAccount,
    private readonly now: () => number = Date.now,
  ) {}

  async token(fetch: Fetch): Promise<string> {
    const cached = this.cached;
    if (cached !== undefined && this.now() < cached.refreshAt) return cached.value;
    // One exchange at a time: concurrent requests on a cold or stale cache wait for the same one.
    this.pending ??= this.exchange(fetch).finally(() => {
      this.pending = undefined;
    });
    const fresh = await this.pending;
    return fresh.value;
  }

  invalidate(): void {
    this.cached = undefined;
  }

  private async exchange(fetch: Fetch): Promise<CachedToken> {
    this.key ??= importPKCS8(this.sa.private_key, "RS256");
    let key: CryptoKey;
    try {
      key = await this.key;
    } catch {
      this.key = undefined;
      throw new UpstreamProtocolError("Google service-account private_key could not be imported");
    }
    const iat = Math.floor(this.now() / 1000);
    const header = { alg: "RS256", typ: "JWT", ...(this.sa.private_key_id ? { kid: this.sa.private_key_id } : {}) };
    const assertion = await new SignJWT({ scope: SCOPE })
      .setProtectedHeader(header)
      .setIssuer(this.sa.client_email)
      .setSubject(this.sa.client_email)
      .setAudience(this.sa.token_uri)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ASSERTION_TTL_S)
      .sign(key);
    const res = await fetch(
      new Request(this.sa.token_uri, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion }),
      }),
    );
    if (!res.ok) {
      await res.body?.cancel();
      throw new UpstreamProtocolError(`Google token exchange failed with status ${res.status}`);
    }
    const body = (await res.json().catch(() => null)) as { access_token?: unknown; expires_in?: unknown } | null;
    const value = body?.access_token;
    const expiresIn = body?.expires_in;
    if (typeof value !== "string" || value === "" || typeof expiresIn !== "number" || !(expiresIn > 0)) {
      throw new UpstreamProtocolError("Google token exchange answered without access_token and expires_in");
    }
    const lifetime = expiresIn * 1000;
    // Short-lived tokens are refreshed at half their life rather than never being usable.
    const margin = Math.min(REFRESH_MARGIN_MS, lifetime / 2);
    const fresh = { value, refreshAt: this.now() + lifetime - margin };
    this.cached = fresh;
    return fresh;
  }
}

export const googleOAuthAuthorizer: AuthorizerFactory = (_config, credential) => {
  const sa = parseServiceAccount(credential);
  if (typeof sa === "string") return { ok: false, reason: `the service-account secret ${sa}` };
  const source = new AccessTokenSource(sa);
  const authorizer: RequestAuthorizer = {
    async authorize(request, fetch) {
      const token = await source.token(fetch);
      request.headers.set("authorization", `Bearer ${token}`);
      return request;
    },
    invalidate: () => source.invalidate(),
  };
  return { ok: true, authorizer };
};
