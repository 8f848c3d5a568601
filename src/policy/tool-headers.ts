/** Headers a tool policy may never set: framing, proxy, forwarding and Cloudflare's own (one list, see below). */
const FORBIDDEN_HEADERS = new Set([
  "host",
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "upgrade",
  "te",
  "trailer",
  "expect",
  "proxy-authorization",
  "proxy-connection",
  "forwarded",
  "x-forwarded-for",
  "x-forwarded-host",
  "x-forwarded-proto",
  "x-real-ip",
  "cf-connecting-ip",
  "cf-worker",
]);

/**
 * Why a tool policy may not set header `name` (lower case), or undefined. The one list, used by the policy build and
 * by every call, so what deploys is what runs.
 */
export function refusedToolHeader(name: string): string | undefined {
  if (name.startsWith("cf-")) return `"${name}": cf-* headers are reserved for Cloudflare`;
  if (FORBIDDEN_HEADERS.has(name)) return `"${name}" is set by the gateway and cannot be configured`;
  return undefined;
}
