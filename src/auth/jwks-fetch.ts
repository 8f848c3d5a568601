import type { JSONWebKeySet, JWK } from "jose";

/**
 * Fetches a JWKS document and keeps only what can safely verify signatures: public RSA/EC/OKP keys for signing.
 * Anything else a JWKS endpoint returns (symmetric `oct` keys, private members, encryption keys) is dropped, so a
 * misconfigured or compromised endpoint cannot turn into an HMAC-confusion or a private-key leak here.
 */

export type FetchResult = { ok: true; jwks: JSONWebKeySet } | { ok: false; reason: string };

const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];
const PUBLIC_KEY_TYPES = new Set(["RSA", "EC", "OKP"]);

function isPublicSigningKey(value: unknown): value is JWK {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const jwk = value as Record<string, unknown>;
  if (typeof jwk.kty !== "string" || !PUBLIC_KEY_TYPES.has(jwk.kty)) return false;
  if (PRIVATE_MEMBERS.some((member) => member in jwk)) return false;
  return jwk.use === undefined || jwk.use === "sig";
}

async function readLimited(response: Response, maxBytes: number): Promise<string | undefined> {
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(all);
}

export async function fetchJwks(
  url: string,
  fetchImpl: typeof fetch,
  opts: { timeoutMs: number; maxBytes: number },
): Promise<FetchResult> {
  let response: Response;
  try {
    // Called unbound: workerd's fetch throws "Illegal invocation" when called as a method of another object.
    const doFetch = fetchImpl;
    response = await doFetch(url, {
      method: "GET",
      headers: { accept: "application/jwk-set+json, application/json" },
      // A redirect could lead anywhere; the admin wrote this exact URL.
      redirect: "manual",
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
    return { ok: false, reason: timedOut ? `timed out after ${opts.timeoutMs} ms` : "unreachable" };
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    return { ok: false, reason: `answered HTTP ${response.status}` };
  }
  let text: string | undefined;
  try {
    text = await readLimited(response, opts.maxBytes);
  } catch {
    return { ok: false, reason: "failed while reading the body" };
  }
  if (text === undefined) return { ok: false, reason: `body larger than ${opts.maxBytes} bytes` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, reason: "body is not JSON" };
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (typeof parsed !== "object" || parsed === null || !Array.isArray(keys)) {
    return { ok: false, reason: 'body is not a JWKS ({"keys": [...]})' };
  }
  return { ok: true, jwks: { keys: keys.filter(isPublicSigningKey) } };
}
