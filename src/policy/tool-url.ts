import { placeholderProblem } from "./schema-fields";
import { specialEntryProblem } from "./special-hosts";

/**
 * Build-time analysis of a tool's URL template and host allowlist. A template mixes literal text, `${VAR}` placeholders
 * (Worker vars/secrets, filled first) and `{name}` slots (the model's arguments, percent-encoded). What can be known
 * before request time is checked here; whatever a placeholder hides is checked by the runtime fetch guard.
 */

export interface UrlTemplateInfo {
  /** Every slot name, in order of appearance (a name may repeat). */
  slots: string[];
  /** Slots that fall inside the host part (`https://{region}.api.example.com/...`). */
  hostSlots: string[];
  /** Absent when a leading placeholder supplies the scheme. */
  scheme?: "http" | "https";
  /** The host and port when the template spells them out literally (no slot, no placeholder). */
  literal?: { hostname: string; port: number };
}

export type UrlTemplateResult = { ok: true; info: UrlTemplateInfo } | { ok: false; message: string };

const TOKEN = /\$\{([^}]*)\}|\{([^{}]*)\}/g;
const SLOT_NAME = /^[A-Za-z0-9_-]{1,64}$/;

function defaultPort(scheme: "http" | "https"): number {
  return scheme === "https" ? 443 : 80;
}

export function parseUrlTemplate(template: string): UrlTemplateResult {
  const placeholder = placeholderProblem(template);
  if (placeholder !== undefined) return { ok: false, message: placeholder };
  const leadingPlaceholder = template.startsWith("${");
  const schemeEnd = template.indexOf("://");
  const authorityStart = leadingPlaceholder || schemeEnd < 0 ? -1 : schemeEnd + 3;
  const rest = authorityStart < 0 ? "" : template.slice(authorityStart);
  const authorityEnd =
    authorityStart < 0 ? -1 : authorityStart + (rest.search(/[/?#]/) < 0 ? rest.length : rest.search(/[/?#]/));

  const slots: string[] = [];
  const hostSlots: string[] = [];
  let hostHasPlaceholder = false;
  let probe = "";
  let last = 0;
  for (const match of template.matchAll(TOKEN)) {
    const literal = template.slice(last, match.index);
    if (/[{}]/.test(literal)) return { ok: false, message: "has an unmatched { or }: slots are written {name}" };
    probe += literal;
    last = match.index + match[0].length;
    const inAuthority = match.index >= authorityStart && match.index < authorityEnd;
    if (match[0].startsWith("$")) {
      probe += "placeholder";
      if (inAuthority) hostHasPlaceholder = true;
      continue;
    }
    const name = match[2] ?? "";
    if (!SLOT_NAME.test(name)) {
      return { ok: false, message: `slot {${name}} must name an argument: 1-64 letters, digits, "_" or "-"` };
    }
    slots.push(name);
    if (inAuthority) hostSlots.push(name);
    probe += "slot";
  }
  const tail = template.slice(last);
  if (/[{}]/.test(tail)) return { ok: false, message: "has an unmatched { or }: slots are written {name}" };
  probe += tail;
  if (template.includes("#")) return { ok: false, message: "must not contain a #fragment" };
  if (leadingPlaceholder) return { ok: true, info: { slots, hostSlots } };

  let url: URL;
  try {
    url = new URL(probe);
  } catch {
    return {
      ok: false,
      message: `"${template}" is not a URL: write it as https://host[:port]/path/{slot}?q={slot}, or start it with a \${VAR} placeholder`,
    };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return { ok: false, message: "must be an http:// or https:// URL" };
  if (url.username !== "" || url.password !== "") {
    return {
      ok: false,
      message: "must not contain credentials (user:password@): send them in a header from a Worker secret",
    };
  }
  const scheme = url.protocol === "https:" ? "https" : "http";
  const info: UrlTemplateInfo = { slots, hostSlots, scheme };
  if (hostSlots.length === 0 && !hostHasPlaceholder) {
    info.literal = { hostname: url.hostname, port: url.port === "" ? defaultPort(scheme) : Number(url.port) };
  }
  return { ok: true, info };
}

export interface AllowedHost {
  hostname: string;
  /** Absent: any of the tool's `allowed_ports`. */
  port?: number;
}

const HOST_ENTRY = /^(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(?::(\d{1,5}))?$/;

/**
 * Why an `allowed_hosts` entry is refused, or undefined when it is acceptable: its spelling, then the rule the runtime
 * applies to special addresses (special-hosts.ts), so a literal entry the runtime would never open fails the build.
 */
export function allowedHostProblem(entry: string, allowMetadata = false): string | undefined {
  const spelling = spellingProblem(entry);
  if (spelling !== undefined || entry.includes("${")) return spelling;
  const parsed = parseAllowedHost(entry);
  if (parsed === undefined) return undefined;
  const problem = specialEntryProblem(
    parsed.port === undefined ? { host: parsed.hostname } : { host: parsed.hostname, port: parsed.port },
    allowMetadata,
  );
  return problem === undefined ? undefined : `${problem}; the gateway would refuse every call to it`;
}

function spellingProblem(entry: string): string | undefined {
  // A placeholder hides the value until request time, where the runtime applies these same rules.
  if (entry.includes("${")) return placeholderProblem(entry);
  if (/[^\x20-\x7e]/.test(entry)) {
    const suggestion = punycodeOf(entry);
    return `must be ASCII: write internationalised host names in punycode${suggestion === undefined ? "" : ` ("${suggestion}")`}`;
  }
  if (entry.includes("*")) return "wildcards are not supported: list every host exactly";
  if (entry !== entry.toLowerCase()) return `must be lower-case: write "${entry.toLowerCase()}"`;
  const match = HOST_ENTRY.exec(entry);
  if (match === null) {
    return 'must be a host or host:port, without scheme, path or credentials (e.g. "api.example.com" or "api.example.com:8443")';
  }
  const host = match[1] ?? "";
  const port = match[2];
  if (port !== undefined && !validPort(Number(port))) return `port ${port} must be between 1 and 65535`;
  let hostname: string;
  try {
    hostname = new URL(`http://${host}`).hostname;
  } catch {
    return `"${host}" is not a valid host name`;
  }
  if (hostname !== host)
    return `write the host as "${hostname}${port === undefined ? "" : `:${port}`}" (its canonical form)`;
  return undefined;
}

/** An acceptable entry without placeholders, split into host and port. */
export function parseAllowedHost(entry: string): AllowedHost | undefined {
  if (entry.includes("${") || spellingProblem(entry) !== undefined) return undefined;
  const match = HOST_ENTRY.exec(entry);
  if (match === null) return undefined;
  const hostname = match[1] ?? "";
  return match[2] === undefined ? { hostname } : { hostname, port: Number(match[2]) };
}

function validPort(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65_535;
}

function punycodeOf(entry: string): string | undefined {
  const match = /^(.*?)(:\d{1,5})?$/.exec(entry);
  try {
    return `${new URL(`http://${match?.[1] ?? entry}`).hostname}${match?.[2] ?? ""}`;
  } catch {
    return undefined;
  }
}

/** `allowed_ports` when the policy writes none: the scheme's port, or both when a placeholder hides the scheme. */
export function defaultAllowedPorts(scheme: "http" | "https" | undefined): number[] {
  return scheme === undefined ? [443, 80] : [defaultPort(scheme)];
}
