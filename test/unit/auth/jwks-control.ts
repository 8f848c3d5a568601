import type { JSONWebKeySet, JWTPayload } from "jose";

/**
 * Drives one realm of the test JWKS server (test/servers/jwks.ts) over HTTP, so the same JWT scenarios run from
 * Node and from inside workerd. Web APIs only.
 */

export type JwksMode = "ok" | "down" | "garbage" | "hang";

export interface SignRequest {
  kid?: string | null;
  alg?: "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512" | "ES256";
  header?: Record<string, unknown>;
}

export interface JwksControl {
  /** This realm's JWKS endpoint. */
  url: string;
  sign(claims: JWTPayload, opts?: SignRequest): Promise<string>;
  rotate(): Promise<{ rsa: string; ec: string }>;
  setMode(mode: JwksMode): Promise<void>;
  fetchCount(): Promise<number>;
  /** The realm's public keys (read through the control API: not counted as a JWKS fetch). */
  jwks(): Promise<JSONWebKeySet & { kids: { rsa: string; ec: string } }>;
}

async function call<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`JWKS control ${url}: HTTP ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

const post = (body?: unknown): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body ?? {}),
});

/** `root` is the server root (`JWKS_CONTROL_URL`); each realm has its own keys, mode and fetch counter. */
export function jwksControl(root: string, realm: string): JwksControl {
  const base = root.replace(/\/+$/, "");
  const control = (action: string) => `${base}/__control/${action}?realm=${encodeURIComponent(realm)}`;
  return {
    url: `${base}/realms/${realm}/jwks.json`,
    async sign(claims, opts = {}) {
      return (await call<{ token: string }>(control("sign"), post({ claims, ...opts }))).token;
    },
    async rotate() {
      return (await call<{ kids: { rsa: string; ec: string } }>(control("rotate"), post())).kids;
    },
    async setMode(mode) {
      await call(control("mode"), post({ mode }));
    },
    async fetchCount() {
      return (await call<{ count: number }>(control("fetch-count"))).count;
    },
    jwks() {
      return call(control("jwks"));
    },
  };
}

export function uniqueRealm(prefix: string): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
}
