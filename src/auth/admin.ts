import { timingSafeEqualBytes } from "./constant-time";

/**
 * Admin endpoints take `Authorization: Bearer <ADMIN_SECRET>`. Both sides are hashed before the constant-time
 * comparison, so neither the secret's content nor its length can be learned from response times. Without a
 * configured secret (or with one too short to resist guessing) every request is refused: admin access never fails
 * open.
 */

export const ADMIN_SECRET_MIN_LENGTH = 16;

export type AdminVerdict = { ok: true } | { ok: false; reason: "not_configured" | "missing" | "mismatch" };

const BEARER = /^Bearer[ ]+(\S+)[ ]*$/i;

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

export async function verifyAdmin(
  headerValue: string | null | undefined,
  adminSecret: string | undefined,
): Promise<AdminVerdict> {
  if (adminSecret === undefined || adminSecret.length < ADMIN_SECRET_MIN_LENGTH) {
    return { ok: false, reason: "not_configured" };
  }
  const presented = headerValue == null ? undefined : BEARER.exec(headerValue)?.[1];
  if (presented === undefined) return { ok: false, reason: "missing" };
  const [a, b] = await Promise.all([digest(presented), digest(adminSecret)]);
  return timingSafeEqualBytes(a, b) ? { ok: true } : { ok: false, reason: "mismatch" };
}
