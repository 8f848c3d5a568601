import { refusedToolHeader } from "../policy/tool-headers";
import { fillPlaceholders, type Lookup } from "./placeholders";
import { MIN_SECRET_CHARS } from "./redact";
import { hasUnsafeHeaderChar } from "./text-checks";

/**
 * The headers a tool request carries: the policy's headers only, values filled from Worker secrets. Arguments never
 * become header names or values, and the caller's own headers (its gateway key included) are never forwarded.
 * Framing and routing headers (Host, Content-Length, ...) come from the URL and body alone: a policy that sets one
 * is refused, as is a filled value with a line break, so no secret can split the request. Reasons name the header,
 * never its value.
 */

export type HeadersResult =
  | { ok: true; headers: Record<string, string>; secrets: string[] }
  | { ok: false; reason: string };

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function buildRequestHeaders(
  policy: Record<string, string>,
  lookup: Lookup,
  defaults: Record<string, string>,
): HeadersResult {
  const headers: Record<string, string> = {};
  const secrets: string[] = [];
  for (const [rawName, template] of Object.entries(policy)) {
    const name = rawName.toLowerCase();
    if (!HEADER_NAME.test(name)) return { ok: false, reason: "a header name is not a valid HTTP token" };
    if (refusedToolHeader(name) !== undefined) {
      return { ok: false, reason: `header ${name} may not be set by a tool policy` };
    }
    const filled = fillPlaceholders(template, lookup);
    if (!filled.ok) return { ok: false, reason: `header ${name} needs variable ${filled.missing}, which is not set` };
    if (hasUnsafeHeaderChar(filled.value)) {
      return { ok: false, reason: `header ${name} has a line break or control character after filling` };
    }
    // Header placeholders carry credentials; one too short to scrub from results could leak unnoticed.
    if (filled.used.some((value) => value.length < MIN_SECRET_CHARS)) {
      return {
        ok: false,
        reason: `header ${name} is filled with a value shorter than ${MIN_SECRET_CHARS} characters, too short to scrub from results (write short non-secret values literally)`,
      };
    }
    secrets.push(...filled.used);
    headers[name] = filled.value;
  }
  for (const [name, value] of Object.entries(defaults)) {
    if (!Object.hasOwn(headers, name)) headers[name] = value;
  }
  return { ok: true, headers, secrets };
}
