import { classifyHost } from "./ip-address";

/** An `allowed_hosts` entry as parsed: host (canonical) and an optional exact port. */
export interface HostEntry {
  host: string;
  port?: number;
}

/**
 * The one rule, shared by the policy build (literal `allowed_hosts` entries) and every outbound request (entries as
 * filled at call time), for allowlist entries that name a special address:
 * - a link-local or cloud-metadata host (169.254/16, fe80::/10, the metadata names and addresses clouds use) is never
 *   opened, unless the tool sets `dangerously_allow_cloud_metadata: true`: on a cloud VM that address hands out the
 *   machine's credentials, and no tool should be one typo away from it;
 * - any other special address (loopback, private, ...) is opened only by an entry with an exact port.
 */

/** Instance-metadata endpoints outside 169.254/16 (which is link-local anyway). */
const METADATA_HOSTS = new Set([
  "[fd00:ec2::254]", // AWS over IPv6
  "100.100.100.200", // Alibaba Cloud
  "metadata.google.internal",
  "metadata.goog",
  "metadata",
  "instance-data",
]);

export function isLinkLocalOrMetadata(host: string): boolean {
  return METADATA_HOSTS.has(host) || classifyHost(host) === "link-local";
}

/** Why `entry` cannot open its host, or undefined when it can (ordinary hosts always can). Never names a value. */
export function specialEntryProblem(entry: HostEntry, allowMetadata: boolean): string | undefined {
  if (isLinkLocalOrMetadata(entry.host) && !allowMetadata) {
    return `${entry.host} is a link-local / cloud-metadata address: refused unless the tool sets dangerously_allow_cloud_metadata: true`;
  }
  const special = classifyHost(entry.host);
  if (special !== undefined && entry.port === undefined) {
    return `${entry.host} is a special address (${special}): it is reachable only through an entry with an exact port ("${entry.host}:<port>")`;
  }
  return undefined;
}
