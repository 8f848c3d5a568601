import type { HostEntry } from "./host-allowlist";
import { fillPlaceholders, type Lookup } from "./placeholders";

/**
 * Fills a tool's URL template: `${VAR}` placeholders from Worker vars first (admin-controlled, inserted as written),
 * then `{arg}` slots from the call's arguments. Path and query values are percent-encoded (everything outside
 * `A-Z a-z 0-9 - _ . ~`), so an argument can never add a path segment, a query parameter, a fragment or a header.
 * A slot in the authority takes a value only when that value is an allowlisted host. A query pair `name={slot}`
 * whose argument is absent is dropped; any other absent slot is an argument error.
 */

export type TemplateResult =
  | { ok: true; url: string; usedArgs: Set<string>; secrets: string[] }
  | { ok: false; kind: "misconfigured"; message: string }
  | { ok: false; kind: "argument"; message: string; param: string };

type Part = { kind: "text"; text: string } | { kind: "slot"; name: string };
type Component = "scheme" | "authority" | "path" | "query" | "fragment";

const TOKEN = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\{([A-Za-z0-9_-]{1,64})\}/g;
const MARK = "\u0000";
const AUTHORITY_VALUE = /^(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?|\[[0-9a-f:.]+\])$/i;

export function encodeStrict(value: string): string | undefined {
  try {
    return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  } catch {
    // Lone surrogates cannot be encoded as UTF-8.
    return undefined;
  }
}

function tokenize(template: string, lookup: Lookup): { parts: Part[]; secrets: string[] } | { missing: string } {
  const parts: Part[] = [];
  const secrets: string[] = [];
  let last = 0;
  for (const m of template.matchAll(TOKEN)) {
    parts.push({ kind: "text", text: template.slice(last, m.index) });
    if (m[1] !== undefined) {
      const filled = fillPlaceholders(m[0], lookup);
      if (!filled.ok) return { missing: filled.missing };
      secrets.push(...filled.used);
      parts.push({ kind: "text", text: filled.value });
    } else if (m[2] !== undefined) {
      parts.push({ kind: "slot", name: m[2] });
    }
    last = m.index + m[0].length;
  }
  parts.push({ kind: "text", text: template.slice(last) });
  return { parts, secrets };
}

/** The component each slot sits in, found on the template with slots replaced by markers. */
function slotComponents(parts: Part[]): Component[] | undefined {
  let text = "";
  for (const [i, p] of parts.entries()) text += p.kind === "text" ? p.text : `${MARK}${i}${MARK}`;
  const schemeEnd = text.indexOf("://");
  if (schemeEnd < 0) return undefined;
  const afterScheme = schemeEnd + 3;
  const authorityEnd = firstOf(text, "/?#", afterScheme);
  const queryStart = firstOf(text, "?#", authorityEnd);
  const fragmentStart = firstOf(text, "#", queryStart);
  const out: Component[] = [];
  let search = 0;
  for (const [i, p] of parts.entries()) {
    if (p.kind === "text") continue;
    const at = text.indexOf(`${MARK}${i}${MARK}`, search);
    search = at;
    out.push(
      at < afterScheme
        ? "scheme"
        : at < authorityEnd
          ? "authority"
          : at < queryStart
            ? "path"
            : at < fragmentStart
              ? "query"
              : "fragment",
    );
  }
  return out;
}

function firstOf(text: string, chars: string, from: number): number {
  for (let i = from; i < text.length; i++) if (chars.includes(text.charAt(i))) return i;
  return text.length;
}

function scalar(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

export function fillUrlTemplate(
  template: string,
  args: Record<string, unknown>,
  lookup: Lookup,
  allowedHosts: readonly HostEntry[],
): TemplateResult {
  const tokens = tokenize(template, lookup);
  if ("missing" in tokens) {
    return { ok: false, kind: "misconfigured", message: `url needs variable ${tokens.missing}, which is not set` };
  }
  const { parts, secrets } = tokens;
  if (parts.some((p) => p.kind === "text" && p.text.includes(MARK))) {
    return { ok: false, kind: "misconfigured", message: "url contains a NUL character" };
  }
  const components = slotComponents(parts);
  if (components === undefined) return { ok: false, kind: "misconfigured", message: "url is not absolute" };

  const usedArgs = new Set<string>();
  const hostSlots: string[] = [];
  const values: (string | null)[] = [];
  let slot = 0;
  for (const p of parts) {
    if (p.kind === "text") continue;
    const component = components[slot++];
    usedArgs.add(p.name);
    const param = `arguments.${p.name}`;
    if (component === "scheme" || component === "fragment" || component === undefined) {
      return { ok: false, kind: "misconfigured", message: `slot {${p.name}} is in the URL's ${component ?? "scheme"}` };
    }
    const present = Object.hasOwn(args, p.name) && args[p.name] !== undefined;
    if (!present) {
      if (component === "query") {
        values.push(null);
        continue;
      }
      return { ok: false, kind: "argument", message: `Argument ${p.name} is required to build the URL.`, param };
    }
    const raw = scalar(args[p.name]);
    if (raw === undefined) {
      return { ok: false, kind: "argument", message: `Argument ${p.name} must be a string, number or boolean.`, param };
    }
    if (component === "authority") {
      // Host characters only; whether the host it makes is allowlisted is checked once the URL is assembled.
      if (!AUTHORITY_VALUE.test(raw)) {
        return { ok: false, kind: "argument", message: `Argument ${p.name} is not an allowed host.`, param };
      }
      hostSlots.push(p.name);
      values.push(raw.toLowerCase());
      continue;
    }
    const encoded = encodeStrict(raw);
    if (encoded === undefined) {
      return { ok: false, kind: "argument", message: `Argument ${p.name} is not valid Unicode text.`, param };
    }
    values.push(encoded);
  }
  const assembled = assemble(parts, components, values, usedArgs, secrets);
  if (!assembled.ok || hostSlots.length === 0) return assembled;
  const host = authorityHost(assembled.url);
  if (!allowedHosts.some((e) => e.host === host)) {
    const name = hostSlots[0] ?? "";
    return {
      ok: false,
      kind: "argument",
      message: `Argument ${name} is not an allowed host.`,
      param: `arguments.${name}`,
    };
  }
  return assembled;
}

/** The host of an assembled URL as written (port and brackets-aside), lower-cased. */
function authorityHost(url: string): string {
  const start = url.indexOf("://") + 3;
  const authority = url.slice(start, firstOf(url, "/?#", start));
  const bracketEnd = authority.lastIndexOf("]");
  const colon = authority.lastIndexOf(":");
  return (colon > bracketEnd ? authority.slice(0, colon) : authority).toLowerCase();
}

function assemble(
  parts: Part[],
  components: Component[],
  values: (string | null)[],
  usedArgs: Set<string>,
  secrets: string[],
): TemplateResult {
  let out = "";
  let slot = 0;
  for (const p of parts) {
    if (p.kind === "text") {
      out += p.text;
      continue;
    }
    const value = values[slot];
    const component = components[slot++];
    // Absent query values: a MARK stays behind, and the pair holding it is dropped below.
    out += value === null || value === undefined ? (component === "query" ? MARK : "") : value;
  }
  const q = out.indexOf("?");
  if (q >= 0) {
    const hash = out.indexOf("#", q);
    const end = hash < 0 ? out.length : hash;
    const pairs = out
      .slice(q + 1, end)
      .split("&")
      .filter((pair) => !pair.includes(MARK));
    out = `${out.slice(0, q)}${pairs.length > 0 ? `?${pairs.join("&")}` : ""}${out.slice(end)}`;
  }
  if (out.includes(MARK)) return { ok: false, kind: "misconfigured", message: "an absent slot could not be dropped" };
  if (hasDotSegment(out)) {
    return {
      ok: false,
      kind: "argument",
      message: "Arguments must not form '.' or '..' path segments.",
      param: "arguments",
    };
  }
  return { ok: true, url: out, usedArgs, secrets };
}

/** `.` and `..` (also as `%2e`) would be resolved away by the URL parser and walk up the path. */
function hasDotSegment(url: string): boolean {
  const start = url.indexOf("://");
  const pathStart = firstOf(url, "/?#", start + 3);
  const pathEnd = firstOf(url, "?#", pathStart);
  return url
    .slice(pathStart, pathEnd)
    .split("/")
    .some((seg) => /^(?:\.|%2e){1,2}$/i.test(seg));
}
