import { fillPlaceholders, type Lookup } from "./placeholders";

/**
 * `allowed_hosts` entries are `host` or `host:port` (IPv6 as `[addr]` or `[addr]:port`), exact, lower-case punycode,
 * possibly with `${VAR}` placeholders filled from Worker vars at call time. An entry with a port allows that port
 * only; one without allows the tool's `allowed_ports`.
 */
export interface HostEntry {
  host: string;
  port?: number;
}

export interface Allowlist {
  entries: HostEntry[];
  ports: readonly number[];
  /** The tool's `dangerously_allow_cloud_metadata` (see policy/special-hosts.ts). */
  allowMetadata?: boolean;
}

export type AllowlistResult = { ok: true; allowlist: Allowlist } | { ok: false; reason: string };

const PORT = /^[1-9][0-9]{0,4}$/;
const HOST = /^(?:\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)$/;

export function parseHostEntry(entry: string): HostEntry | undefined {
  let host = entry;
  let port: number | undefined;
  const bracketEnd = entry.lastIndexOf("]");
  const colon = entry.lastIndexOf(":");
  if (colon > bracketEnd) {
    const text = entry.slice(colon + 1);
    if (!PORT.test(text) || Number(text) > 65535) return undefined;
    port = Number(text);
    host = entry.slice(0, colon);
  }
  // Exact and canonical only: upper case, a trailing dot, or anything else would never match a parsed URL anyway.
  if (!HOST.test(host) || host.endsWith(".")) return undefined;
  return port === undefined ? { host } : { host, port };
}

/** Fills placeholders and parses every entry; a malformed entry fails the call (the policy build checks the rest). */
export function resolveAllowlist(
  hosts: readonly string[],
  ports: readonly number[],
  lookup: Lookup,
  allowMetadata = false,
): AllowlistResult {
  const entries: HostEntry[] = [];
  for (const raw of hosts) {
    const filled = fillPlaceholders(raw, lookup);
    if (!filled.ok) return { ok: false, reason: `allowed_hosts needs variable ${filled.missing}, which is not set` };
    const entry = parseHostEntry(filled.value.trim());
    if (entry === undefined) return { ok: false, reason: "an allowed_hosts entry is not a host or host:port" };
    entries.push(entry);
  }
  return { ok: true, allowlist: allowMetadata ? { entries, ports, allowMetadata } : { entries, ports } };
}
