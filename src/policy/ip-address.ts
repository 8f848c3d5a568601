/**
 * Classifies hosts a tool must not reach unless an admin allowlisted that exact host and port: loopback, private,
 * link-local (cloud metadata lives at 169.254.169.254 / fd00:ec2::254), CGNAT, unspecified, multicast, reserved and
 * documentation ranges, IPv6 ULA, and IPv6 forms that embed an IPv4 address (mapped, compatible, NAT64, 6to4,
 * Teredo), whose IPv4 part could be any of the former. Input is a WHATWG-parsed hostname (`URL.hostname`): IPv4 in
 * dotted decimal, IPv6 in brackets. The URL parser has already turned decimal, hex, octal and short IPv4 forms into
 * dotted decimal; the caller separately refuses hosts written in such forms (see outbound-url.ts).
 */

export type SpecialHost =
  | "loopback"
  | "private"
  | "link-local"
  | "cgnat"
  | "unspecified"
  | "multicast"
  | "reserved"
  | "ipv6-unique-local"
  | "ipv6-embedded-ipv4"
  | "internal-name";

type V4Range = readonly [base: number, prefix: number, kind: SpecialHost];

// [network as a 32-bit number, prefix length, kind]
const V4_RANGES: readonly V4Range[] = [
  [0x00000000, 8, "unspecified"], // 0.0.0.0/8 "this network"
  [0x0a000000, 8, "private"], // 10/8
  [0x64400000, 10, "cgnat"], // 100.64/10
  [0x7f000000, 8, "loopback"], // 127/8
  [0xa9fe0000, 16, "link-local"], // 169.254/16, cloud metadata
  [0xac100000, 12, "private"], // 172.16/12
  [0xc0000000, 24, "reserved"], // 192.0.0/24 IETF protocol assignments
  [0xc0000200, 24, "reserved"], // 192.0.2/24 TEST-NET-1
  [0xc0586300, 24, "reserved"], // 192.88.99/24 6to4 relay anycast
  [0xc0a80000, 16, "private"], // 192.168/16
  [0xc6120000, 15, "reserved"], // 198.18/15 benchmarking
  [0xc6336400, 24, "reserved"], // 198.51.100/24 TEST-NET-2
  [0xcb007100, 24, "reserved"], // 203.0.113/24 TEST-NET-3
  [0xe0000000, 4, "multicast"], // 224/4
  [0xf0000000, 4, "reserved"], // 240/4 and 255.255.255.255
];

const DOTTED = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** A dotted-decimal IPv4 address as a 32-bit number, or undefined when `host` is not one. */
function parseIpv4(host: string): number | undefined {
  const m = DOTTED.exec(host);
  if (m === null) return undefined;
  let value = 0;
  for (let i = 1; i <= 4; i++) {
    const part = Number(m[i]);
    if (part > 255) return undefined;
    value = value * 256 + part;
  }
  return value;
}

function classifyIpv4(value: number): SpecialHost | undefined {
  for (const [base, prefix, kind] of V4_RANGES) {
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    if ((value & mask) >>> 0 === base) return kind;
  }
  return undefined;
}

/** An IPv6 address (without brackets; an IPv4 tail allowed) as eight 16-bit groups, or undefined. */
export function parseIpv6(text: string): number[] | undefined {
  if (text.includes("%")) return undefined; // zone ids have no meaning for a remote host
  let body = text;
  const lastColon = body.lastIndexOf(":");
  const last = body.slice(lastColon + 1);
  if (last.includes(".")) {
    // An IPv4 tail (`::ffff:127.0.0.1`) is two more groups.
    const v4 = parseIpv4(last);
    if (v4 === undefined) return undefined;
    body = `${body.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = body.split("::");
  if (halves.length > 2) return undefined;
  const groups = (part: string | undefined): number[] | undefined => {
    if (part === undefined || part === "") return [];
    const out: number[] = [];
    for (const g of part.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(Number.parseInt(g, 16));
    }
    return out;
  };
  const head = groups(halves[0]);
  const rest = groups(halves[1]);
  if (head === undefined || rest === undefined) return undefined;
  const given = head.length + rest.length;
  if (halves.length === 1) return given === 8 ? head : undefined;
  if (given > 7) return undefined;
  return [...head, ...new Array<number>(8 - given).fill(0), ...rest];
}

function classifyIpv6(g: readonly number[]): SpecialHost | undefined {
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, h = 0, i = 0] = g;
  const zeroTo5 = a === 0 && b === 0 && c === 0 && d === 0 && e === 0;
  if (zeroTo5 && f === 0 && h === 0 && i === 0) return "unspecified"; // ::
  if (zeroTo5 && f === 0 && h === 0 && i === 1) return "loopback"; // ::1
  if (zeroTo5 && (f === 0xffff || f === 0)) return "ipv6-embedded-ipv4"; // ::ffff:a.b.c.d mapped, ::a.b.c.d compatible
  if (a === 0 && b === 0 && c === 0 && d === 0 && e === 0xffff && f === 0) return "ipv6-embedded-ipv4"; // SIIT
  if (a === 0x64 && b === 0xff9b) return "ipv6-embedded-ipv4"; // NAT64 64:ff9b::/96 and 64:ff9b:1::/48
  if (a === 0x2002) return "ipv6-embedded-ipv4"; // 6to4
  if (a === 0x2001 && b === 0) return "ipv6-embedded-ipv4"; // Teredo
  if (a === 0x2001 && b === 0x0db8) return "reserved"; // documentation
  if (a === 0x0100 && b === 0 && c === 0 && d === 0) return "reserved"; // discard-only 100::/64
  if ((a & 0xfe00) === 0xfc00) return "ipv6-unique-local"; // fc00::/7
  if ((a & 0xffc0) === 0xfe80) return "link-local"; // fe80::/10
  if ((a & 0xffc0) === 0xfec0) return "private"; // fec0::/10 site-local (deprecated)
  if ((a & 0xff00) === 0xff00) return "multicast"; // ff00::/8
  return undefined;
}

/** Names that resolve to the machine itself or to a private network by convention, not by public DNS. */
const INTERNAL_NAMES = new Set(["localhost", "metadata", "instance-data", "metadata.google.internal"]);
const INTERNAL_SUFFIXES = [".localhost", ".local", ".internal", ".home.arpa", ".localdomain", ".lan", ".intranet"];

/**
 * Why a parsed hostname is special, or undefined for an ordinary public host. Single-label names (`intranet`) count
 * as internal: they only resolve through local search domains.
 */
export function classifyHost(hostname: string): SpecialHost | undefined {
  const host = hostname.toLowerCase();
  if (host.startsWith("[") && host.endsWith("]")) {
    const groups = parseIpv6(host.slice(1, -1));
    // An unparsable bracketed host cannot be reasoned about: treat it as the worst case.
    return groups === undefined ? "reserved" : classifyIpv6(groups);
  }
  const v4 = parseIpv4(host);
  if (v4 !== undefined) return classifyIpv4(v4);
  const name = host.endsWith(".") ? host.slice(0, -1) : host;
  if (INTERNAL_NAMES.has(name) || INTERNAL_SUFFIXES.some((s) => name.endsWith(s))) return "internal-name";
  if (!name.includes(".")) return "internal-name";
  return undefined;
}
