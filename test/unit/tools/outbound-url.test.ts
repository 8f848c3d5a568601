// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` is the placeholder syntax of tool definitions under test.
import { describe, expect, it } from "vitest";
import { type Allowlist, parseHostEntry, resolveAllowlist } from "../../../src/tools/host-allowlist";
import { checkOutboundUrl } from "../../../src/tools/outbound-url";
import { vars } from "./helpers";

function allowlist(hosts: string[], ports: number[] = [443, 80]): Allowlist {
  const resolved = resolveAllowlist(hosts, ports, vars({ TARGET: "127.0.0.1:8787" }));
  if (!resolved.ok) throw new Error(resolved.reason);
  return resolved.allowlist;
}

const PUBLIC = allowlist(["api.example.com", "cdn.example.com:8443"], [443]);
/** The test target's shape: loopback allowlisted by exact host and port (via a placeholder, as the test policy does). */
const LOOPBACK = allowlist(["${TARGET}", "[::1]:8788"], [443, 80]);

describe("checkOutboundUrl: allowed", () => {
  it.each([
    ["https://api.example.com/v1/x?q=1", PUBLIC],
    ["https://API.Example.com/v1", PUBLIC],
    ["https://api.example.com:443/v1", PUBLIC],
    ["https://cdn.example.com:8443/file", PUBLIC],
    ["http://127.0.0.1:8787/weather/Paris", LOOPBACK],
    ["http://[::1]:8788/x", LOOPBACK],
  ])("%s", (url, list) => {
    const result = checkOutboundUrl(url, list);
    expect(result.ok, JSON.stringify(result)).toBe(true);
  });
});

describe("checkOutboundUrl: scheme, userinfo and malformed URLs", () => {
  it.each([
    ["ftp://api.example.com/x", "scheme"],
    ["file:///etc/passwd", "scheme"],
    ["gopher://api.example.com:443/", "scheme"],
    ["javascript:alert(1)", "scheme"],
    ["data:text/plain,hi", "scheme"],
    ["ws://api.example.com/", "scheme"],
    ["https://user@api.example.com/", "userinfo"],
    ["https://user:pw@api.example.com/", "userinfo"],
    ["https://:pw@api.example.com/", "userinfo"],
    ["https://api.example.com@evil.com/", "userinfo"],
    ["https:api.example.com/x", "malformed"],
    ["https:/api.example.com/x", "malformed"],
    ["https:\\\\api.example.com/x", "malformed"],
    ["https://api.example.com\\@evil.com/", "malformed"],
    ["https://api.example\t.com/", "malformed"],
    ["https://api.example.com/\n", "malformed"],
    [" https://api.example.com/", "malformed"],
    ["//api.example.com/", "malformed"],
    ["/relative", "malformed"],
    ["https://", "malformed"],
  ])("%s -> %s", (url, reason) => {
    expect(checkOutboundUrl(url, PUBLIC)).toMatchObject({ ok: false, reason });
  });
});

describe("checkOutboundUrl: hosts and ports", () => {
  it.each([
    ["https://evil.com/", "host_not_allowed"],
    ["https://api.example.com.evil.com/", "host_not_allowed"],
    ["https://evilapi.example.com/", "host_not_allowed"],
    ["https://example.com/", "host_not_allowed"],
    ["https://sub.api.example.com/", "host_not_allowed"],
    ["https://api.example.co/", "host_not_allowed"],
    ["https://api.example.com:8443/", "port_not_allowed"],
    ["http://api.example.com/", "port_not_allowed"],
    ["https://cdn.example.com/", "port_not_allowed"],
    ["https://cdn.example.com:8444/", "port_not_allowed"],
    ["https://api.example.com./", "host_not_allowed"],
    ["https://api.example.com:0443/", "non_canonical_host"],
    ["https://ap%69.example.com/", "non_canonical_host"],
    ["https://\uff41pi.example.com/", "non_canonical_host"],
    ["https://\u0430pi.example.com/", "non_canonical_host"],
    ["https://xn--80ak6aa92e.com/", "host_not_allowed"],
  ])("%s -> %s", (url, reason) => {
    expect(checkOutboundUrl(url, PUBLIC)).toMatchObject({ ok: false, reason });
  });

  it("a port-less entry allows only allowed_ports", () => {
    const list = allowlist(["api.example.com"], [443, 8443]);
    expect(checkOutboundUrl("https://api.example.com:8443/", list).ok).toBe(true);
    expect(checkOutboundUrl("https://api.example.com:9443/", list)).toMatchObject({ reason: "port_not_allowed" });
  });
});

/**
 * Special addresses in every textual encoding. The WHATWG parser normalises most of them (`URL.hostname`); each is
 * refused either as a special address or because it is not written canonically — both outcomes refuse.
 */
describe("checkOutboundUrl: private, loopback, link-local and metadata addresses", () => {
  const REFUSED = ["special_address", "non_canonical_host"];
  it.each([
    // loopback, all encodings
    "http://127.0.0.1/",
    "http://127.0.0.1:8787/", // the allowlisted port, but not allowlisted here
    "http://127.1/",
    "http://127.0.1/",
    "http://2130706433/",
    "http://0x7f000001/",
    "http://0x7F.0.0.1/",
    "http://0177.0.0.1/",
    "http://0177.0000.0000.0001/",
    "http://017700000001/",
    "http://0x7f.1/",
    "http://127.000.000.001/",
    "http://127.0.0.1./",
    "http://①②⑦.0.0.1/",
    "http://127.0.0.1%2e/",
    "http://localhost/",
    "http://LOCALHOST/",
    "http://localhost./",
    "http://foo.localhost/",
    "http://[::1]/",
    "http://[0:0:0:0:0:0:0:1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[0:0:0:0:0:ffff:7f00:1]/",
    "http://[::127.0.0.1]/",
    "http://[64:ff9b::7f00:1]/",
    "http://[2002:7f00:1::]/",
    // unspecified
    "http://0.0.0.0/",
    "http://0/",
    "http://0x0/",
    "http://[::]/",
    // private
    "http://10.0.0.1/",
    "http://167772161/",
    "http://012.0.0.1/",
    "http://172.16.0.1/",
    "http://172.31.255.255/",
    "http://192.168.1.1/",
    "http://0xc0a80101/",
    "http://[::ffff:10.0.0.1]/",
    "http://[::ffff:c0a8:101]/",
    // link-local and cloud metadata
    "http://169.254.169.254/latest/meta-data/",
    "http://2852039166/",
    "http://0xa9fea9fe/",
    "http://0251.0376.0251.0376/",
    "http://169.254.43518/",
    "http://[::ffff:169.254.169.254]/",
    "http://[fe80::1]/",
    "http://[FE80::1]/",
    "http://[fd00:ec2::254]/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://metadata/",
    "http://instance-data/",
    // CGNAT
    "http://100.64.0.1/",
    "http://100.127.255.254/",
    // ULA, multicast, reserved
    "http://[fd00::1]/",
    "http://[fc00::1]/",
    "http://224.0.0.1/",
    "http://[ff02::1]/",
    "http://240.0.0.1/",
    "http://255.255.255.255/",
    "http://192.0.2.1/",
    "http://198.18.0.1/",
    // internal names
    "http://router.local/",
    "http://intranet/",
    "http://db.internal/",
  ])("%s", (url) => {
    // Allowlisting the very host (without a port) must not open a special address either.
    const hostname = new URL(url).hostname;
    const list = allowlist(["api.example.com", ...(parseHostEntry(hostname) ? [hostname] : [])], [80, 443]);
    const result = checkOutboundUrl(url, list);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(REFUSED).toContain(result.reason);
  });

  it("classifies every decimal/hex/octal/short form of loopback as loopback, even when written non-canonically", () => {
    for (const url of ["http://2130706433/", "http://0x7f000001/", "http://0177.0.0.1/", "http://127.1/"]) {
      expect(checkOutboundUrl(url, PUBLIC)).toMatchObject({ ok: false, special: "loopback" });
    }
    expect(checkOutboundUrl("http://[::ffff:127.0.0.1]/", PUBLIC)).toMatchObject({ special: "ipv6-embedded-ipv4" });
  });

  it("does not refuse public addresses for being IPs (they still need the allowlist)", () => {
    const list = allowlist(["93.184.216.34", "[2606:4700::1111]"], [443]);
    expect(checkOutboundUrl("https://93.184.216.34/", list).ok).toBe(true);
    expect(checkOutboundUrl("https://[2606:4700::1111]/", list).ok).toBe(true);
    expect(checkOutboundUrl("https://8.8.8.8/", list)).toMatchObject({ reason: "host_not_allowed" });
    expect(checkOutboundUrl("https://100.128.0.1/", list)).toMatchObject({ reason: "host_not_allowed" });
  });
});

describe("checkOutboundUrl: loopback is reachable only when allowlisted by exact host AND port", () => {
  it("allows the exact host:port entry", () => {
    expect(checkOutboundUrl("http://127.0.0.1:8787/x", LOOPBACK).ok).toBe(true);
  });

  it.each([
    "http://127.0.0.1:8788/x", // another port on the same host (e.g. the fake provider or the gateway itself)
    "http://127.0.0.1/x",
    "http://127.0.0.2:8787/x",
    "http://localhost:8787/x",
    "http://2130706433:8787/x",
    "http://0x7f000001:8787/x",
    "http://0177.0.0.1:8787/x",
    "http://127.1:8787/x",
    "http://[::ffff:127.0.0.1]:8787/x",
    "http://[::ffff:7f00:1]:8787/x",
    "http://[::1]:8787/x",
    "http://127.0.0.1:08787/x",
    "http://[0:0:0:0:0:0:0:1]:8788/x",
  ])("refuses %s", (url) => {
    expect(checkOutboundUrl(url, LOOPBACK).ok).toBe(false);
  });

  it("a port-less entry never opens a special address", () => {
    const list = allowlist(["127.0.0.1", "169.254.169.254", "localhost"], [80]);
    expect(checkOutboundUrl("http://127.0.0.1/", list)).toMatchObject({ reason: "special_address" });
    expect(checkOutboundUrl("http://169.254.169.254/", list)).toMatchObject({ reason: "special_address" });
    expect(checkOutboundUrl("http://localhost/", list)).toMatchObject({ reason: "special_address" });
  });
});

describe("link-local and cloud-metadata entries (the rule the policy build applies too)", () => {
  const meta = (allowMetadata: boolean) => {
    const resolved = resolveAllowlist(
      ["169.254.169.254:80", "[fe80::1]:8080", "metadata.google.internal:80", "100.100.100.200:80"],
      [80],
      vars({}),
      allowMetadata,
    );
    if (!resolved.ok) throw new Error(resolved.reason);
    return resolved.allowlist;
  };

  it.each([
    "http://169.254.169.254:80/latest/meta-data/",
    "http://[fe80::1]:8080/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://100.100.100.200/latest/meta-data/",
  ])("%s is refused even with an exact host:port entry, unless the tool opts in", (url) => {
    expect(checkOutboundUrl(url, meta(false))).toMatchObject({ ok: false, reason: "special_address" });
    expect(checkOutboundUrl(url, meta(true)).ok).toBe(true);
  });

  it("metadata.goog is refused with no entry at all (a public-looking name)", () => {
    expect(checkOutboundUrl("http://metadata.goog/", allowlist(["metadata.goog"], [80]))).toMatchObject({
      ok: false,
      reason: "special_address",
    });
  });
});

describe("allowlist entries", () => {
  it.each([
    ["api.example.com", { host: "api.example.com" }],
    ["api.example.com:8443", { host: "api.example.com", port: 8443 }],
    ["127.0.0.1:8787", { host: "127.0.0.1", port: 8787 }],
    ["[::1]:8788", { host: "[::1]", port: 8788 }],
    ["[fd00::1]", { host: "[fd00::1]" }],
  ])("parses %s", (entry, expected) => {
    expect(parseHostEntry(entry)).toEqual(expected);
  });

  it.each([
    "API.example.com",
    "api.example.com.",
    "*.example.com",
    "a b",
    "host:0",
    "host:65536",
    "host:08",
    "http://x",
    "user@host",
    "",
  ])("refuses %j", (entry) => {
    expect(parseHostEntry(entry)).toBeUndefined();
  });

  it("fills placeholders from vars and fails closed when one is missing", () => {
    expect(resolveAllowlist(["${TARGET}"], [80], vars({ TARGET: "127.0.0.1:1234" }))).toMatchObject({
      ok: true,
      allowlist: { entries: [{ host: "127.0.0.1", port: 1234 }] },
    });
    expect(resolveAllowlist(["${TARGET}"], [80], vars({}))).toMatchObject({ ok: false });
  });
});
