import { describe, expect, it } from "vitest";
import { classifyHost, parseIpv6 } from "../../../src/policy/ip-address";

describe("classifyHost", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.0.1", "private"],
    ["192.168.0.1", "private"],
    ["100.64.0.1", "cgnat"],
    ["100.127.255.255", "cgnat"],
    ["169.254.169.254", "link-local"],
    ["224.0.0.251", "multicast"],
    ["239.255.255.250", "multicast"],
    ["240.0.0.1", "reserved"],
    ["255.255.255.255", "reserved"],
    ["192.0.0.8", "reserved"],
    ["198.19.0.1", "reserved"],
    ["[::1]", "loopback"],
    ["[::]", "unspecified"],
    ["[::ffff:7f00:1]", "ipv6-embedded-ipv4"],
    ["[::ffff:8.8.8.8]", "ipv6-embedded-ipv4"],
    ["[::7f00:1]", "ipv6-embedded-ipv4"],
    ["[64:ff9b::a00:1]", "ipv6-embedded-ipv4"],
    ["[64:ff9b:1::1]", "ipv6-embedded-ipv4"],
    ["[2002:a00:1::1]", "ipv6-embedded-ipv4"],
    ["[2001:0:4136:e378::1]", "ipv6-embedded-ipv4"],
    ["[fd00::1]", "ipv6-unique-local"],
    ["[fc12:3456::1]", "ipv6-unique-local"],
    ["[fe80::1]", "link-local"],
    ["[febf::1]", "link-local"],
    ["[fec0::1]", "private"],
    ["[ff02::1]", "multicast"],
    ["[2001:db8::1]", "reserved"],
    ["[100::1]", "reserved"],
    ["[not-an-address]", "reserved"],
    ["localhost", "internal-name"],
    ["a.b.localhost", "internal-name"],
    ["metadata.google.internal", "internal-name"],
    ["printer.local", "internal-name"],
    ["nas.home.arpa", "internal-name"],
    ["intranet", "internal-name"],
  ])("%s is %s", (host, kind) => {
    expect(classifyHost(host)).toBe(kind);
  });

  it.each([
    "8.8.8.8",
    "1.1.1.1",
    "100.63.255.255",
    "100.128.0.0",
    "172.15.255.255",
    "172.32.0.0",
    "169.253.255.255",
    "192.169.0.1",
    "[2606:4700:4700::1111]",
    "[2001:4860:4860::8888]",
    "api.example.com",
    "127.0.0.1.nip.io",
  ])("%s is an ordinary host", (host) => {
    expect(classifyHost(host)).toBeUndefined();
  });
});

describe("parseIpv6", () => {
  it.each([
    ["::", [0, 0, 0, 0, 0, 0, 0, 0]],
    ["::1", [0, 0, 0, 0, 0, 0, 0, 1]],
    ["1::", [1, 0, 0, 0, 0, 0, 0, 0]],
    ["1:2:3:4:5:6:7:8", [1, 2, 3, 4, 5, 6, 7, 8]],
    ["::ffff:127.0.0.1", [0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]],
    ["fd00:ec2::254", [0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254]],
  ])("%s", (text, groups) => {
    expect(parseIpv6(text)).toEqual(groups);
  });

  it.each(["1:2:3", "1::2::3", "12345::", "::g", "1:2:3:4:5:6:7:8:9", "::1.2.3.256", "fe80::1%eth0", ":1"])(
    "refuses %s",
    (text) => {
      expect(parseIpv6(text)).toBeUndefined();
    },
  );
});
