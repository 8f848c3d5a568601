import { classifyHost, type SpecialHost } from "../policy/ip-address";
import { isLinkLocalOrMetadata, specialEntryProblem } from "../policy/special-hosts";
import type { Allowlist, HostEntry } from "./host-allowlist";
import { hasUnsafeUrlChar } from "./text-checks";

/**
 * The one check every outbound tool request (and every redirect hop) passes, on the PARSED URL: http(s) only, no
 * userinfo, a host written in canonical form, an exact allowlist match, an allowed port. Loopback, private,
 * link-local, metadata and other special addresses are refused in every textual encoding unless an entry names that
 * exact host AND port (`127.0.0.1:8787`): a port-less entry never opens a special address, and a link-local or
 * cloud-metadata one needs the tool's `dangerously_allow_cloud_metadata` besides (policy/special-hosts.ts, shared with the
 * policy build).
 *
 * Two views are compared because they can disagree: the raw authority text (what was written) and the WHATWG-parsed
 * hostname (what would be connected to). The parser turns `2130706433`, `0x7f000001`, `0177.0.0.1`, `127.1`,
 * `[::ffff:127.0.0.1]`, `ex%61mple.com` or full-width letters into a canonical host; a URL whose written host is not
 * already that canonical host (case aside) is refused outright, so no encoding trick can reach an allowlisted name.
 */

export type UrlRefusal =
  | "malformed"
  | "scheme"
  | "userinfo"
  | "non_canonical_host"
  | "special_address"
  | "host_not_allowed"
  | "port_not_allowed";

export type UrlCheck =
  | { ok: true; url: URL; host: string; port: number }
  | { ok: false; reason: UrlRefusal; message: string; special?: SpecialHost };

const RAW_PREFIX = /^(https?):\/\/([^/?#]*)/i;

function refuse(reason: UrlRefusal, message: string, special?: SpecialHost): UrlCheck {
  return special === undefined ? { ok: false, reason, message } : { ok: false, reason, message, special };
}

function splitRawAuthority(authority: string): { host: string; port: string } {
  const bracketEnd = authority.lastIndexOf("]");
  const colon = authority.lastIndexOf(":");
  if (colon > bracketEnd) return { host: authority.slice(0, colon), port: authority.slice(colon + 1) };
  return { host: authority, port: "" };
}

function portAllowed(entry: HostEntry, port: number, allowlist: Allowlist): boolean {
  return entry.port !== undefined ? entry.port === port : allowlist.ports.includes(port);
}

/** Checks an absolute URL string. Messages name the host only, never the path or query: they may hold secrets. */
export function checkOutboundUrl(raw: string, allowlist: Allowlist): UrlCheck {
  if (hasUnsafeUrlChar(raw)) return refuse("malformed", "The URL contains characters a URL never carries.");
  const prefix = RAW_PREFIX.exec(raw);
  if (prefix === null) {
    return /^[a-z][a-z0-9+.-]*:/i.test(raw) && !/^https?:/i.test(raw)
      ? refuse("scheme", "Only http and https URLs may be fetched.")
      : refuse("malformed", "The URL is not an absolute http(s) URL.");
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse("malformed", "The URL cannot be parsed.");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return refuse("scheme", "Only http and https URLs may be fetched.");
  }
  const authority = prefix[2] ?? "";
  if (authority.includes("@") || url.username !== "" || url.password !== "") {
    return refuse("userinfo", "URLs with credentials (user:password@) are refused.");
  }
  const host = url.hostname;
  const port = url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port);
  const written = splitRawAuthority(authority);
  const special = classifyHost(host);
  if (written.host.toLowerCase() !== host || (written.port !== "" && written.port !== String(port))) {
    return refuse("non_canonical_host", `The host must be written in canonical form (it parses as ${host}).`, special);
  }
  const candidates = allowlist.entries.filter((e) => e.host === host);
  if (special !== undefined || isLinkLocalOrMetadata(host)) {
    const allowMetadata = allowlist.allowMetadata === true;
    const opens = (e: HostEntry) => e.port === port && specialEntryProblem(e, allowMetadata) === undefined;
    if (candidates.some(opens)) return { ok: true, url, host, port };
    return refuse(
      "special_address",
      `${host} is a special address (${special ?? "cloud metadata"}); it is reachable only when allowlisted by exact host and port.`,
      special,
    );
  }
  if (candidates.length === 0) return refuse("host_not_allowed", `Host ${host} is not allowlisted for this tool.`);
  if (!candidates.some((e) => portAllowed(e, port, allowlist))) {
    return refuse("port_not_allowed", `Port ${port} is not allowed for host ${host}.`);
  }
  return { ok: true, url, host, port };
}
