import type { ToolHttpMethod } from "../policy/types";
import type { Allowlist } from "./host-allowlist";
import { checkOutboundUrl } from "./outbound-url";
import { hasUnsafeUrlChar } from "./text-checks";

/**
 * One redirect hop, decided like the first request: the Location is checked as written (an absolute or
 * scheme-relative one with the same raw-authority rules) and as resolved. https never downgrades to http. The
 * policy's headers (credentials) go to the configured origin only: a hop to another origin drops them, as browsers
 * drop Authorization. 303, and 301/302 after a POST, continue as a GET without a body; 307/308 keep both.
 */

export interface HopState {
  method: ToolHttpMethod;
  body: string | undefined;
  headers: Record<string, string>;
}

export type Hop = ({ ok: true; url: URL } & HopState) | { ok: false; message: string };

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:/i;

export function isRedirect(res: Response): boolean {
  return REDIRECTS.has(res.status) && res.headers.has("location");
}

export function followRedirect(current: URL, res: Response, state: HopState, allowlist: Allowlist): Hop {
  const location = res.headers.get("location") ?? "";
  if (location === "" || hasUnsafeUrlChar(location)) return { ok: false, message: "the Location header is malformed." };
  let written: string;
  if (HAS_SCHEME.test(location)) written = location;
  else if (location.startsWith("//")) written = `${current.protocol}${location}`;
  else {
    try {
      written = new URL(location, current).href;
    } catch {
      return { ok: false, message: "the Location header is malformed." };
    }
  }
  const check = checkOutboundUrl(written, allowlist);
  if (!check.ok) return { ok: false, message: check.message };
  const next = check.url;
  if (current.protocol === "https:" && next.protocol === "http:") {
    return { ok: false, message: "a redirect from https to http is refused." };
  }
  const sameOrigin = next.origin === current.origin;
  const toGet = res.status === 303 || ((res.status === 301 || res.status === 302) && state.method === "POST");
  const method: ToolHttpMethod = toGet ? "GET" : state.method;
  let headers = sameOrigin ? state.headers : withoutPolicyHeaders(state.headers);
  if (toGet) headers = withoutBodyHeaders(headers);
  return { ok: true, url: next, method, body: toGet ? undefined : state.body, headers };
}

/** Only what describes the body survives a cross-origin hop; every policy header (credentials) is dropped. */
function withoutPolicyHeaders(headers: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of ["content-type", "accept"]) {
    const value = headers[name];
    if (value !== undefined) kept[name] = value;
  }
  return kept;
}

function withoutBodyHeaders(headers: Record<string, string>): Record<string, string> {
  const { "content-type": _dropped, ...rest } = headers;
  return rest;
}
