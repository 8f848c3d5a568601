// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` is the placeholder syntax of tool definitions under test.
import { describe, expect, it } from "vitest";
import { parseHostEntry } from "../../../src/tools/host-allowlist";
import { encodeStrict, fillUrlTemplate } from "../../../src/tools/url-template";
import { vars } from "./helpers";

const hosts = ["api.example.com", "eu.example.com", "127.0.0.1:9999"].map((h) => {
  const entry = parseHostEntry(h);
  if (entry === undefined) throw new Error(h);
  return entry;
});
const env = vars({ BASE: "https://api.example.com", KEY: "s3cret-value-123" });

function fill(template: string, args: Record<string, unknown>) {
  return fillUrlTemplate(template, args, env, hosts);
}

describe("fillUrlTemplate: path and query values are percent-encoded", () => {
  it.each([
    ["Paris", "https://api.example.com/w/Paris"],
    ["New York", "https://api.example.com/w/New%20York"],
    ["a/b", "https://api.example.com/w/a%2Fb"],
    ["../admin", "https://api.example.com/w/..%2Fadmin"],
    ["x?admin=1", "https://api.example.com/w/x%3Fadmin%3D1"],
    ["x#frag", "https://api.example.com/w/x%23frag"],
    ["a\r\nHost: evil.com", "https://api.example.com/w/a%0D%0AHost%3A%20evil.com"],
    ["a\\b", "https://api.example.com/w/a%5Cb"],
    ["%2e%2e", "https://api.example.com/w/%252e%252e"],
    ["Zürich", "https://api.example.com/w/Z%C3%BCrich"],
    ["it's (ok)*!", "https://api.example.com/w/it%27s%20%28ok%29%2A%21"],
    ["@evil.com", "https://api.example.com/w/%40evil.com"],
  ])("path value %j", (city, expected) => {
    expect(fill("${BASE}/w/{city}", { city })).toMatchObject({ ok: true, url: expected });
  });

  it("encodes query values so they cannot add parameters", () => {
    const result = fill("https://api.example.com/s?q={q}&units=metric", { q: "a&units=imperial#x" });
    expect(result).toMatchObject({
      ok: true,
      url: "https://api.example.com/s?q=a%26units%3Dimperial%23x&units=metric",
    });
  });

  it("formats numbers and booleans, refuses objects, arrays and null", () => {
    expect(fill("https://api.example.com/d/{n}?f={b}", { n: 3, b: false })).toMatchObject({
      url: "https://api.example.com/d/3?f=false",
    });
    for (const bad of [{ a: 1 }, [1], null]) {
      expect(fill("https://api.example.com/d/{n}", { n: bad })).toMatchObject({
        ok: false,
        kind: "argument",
        param: "arguments.n",
      });
    }
  });

  it.each([".", "..", ".%2e"])("refuses a value that makes a dot segment: %j", (value) => {
    // "%" is encoded, so only the literal dots can form a dot segment.
    const result = fill("https://api.example.com/a/{p}/b", { p: value });
    if (value === ".%2e") expect(result.ok).toBe(true);
    else expect(result).toMatchObject({ ok: false, kind: "argument" });
  });

  it("refuses dot segments built from two slots", () => {
    expect(fill("https://api.example.com/a/{x}{y}/b", { x: ".", y: "." })).toMatchObject({ ok: false });
  });

  it("refuses lone surrogates", () => {
    expect(fill("https://api.example.com/w/{city}", { city: "\ud800" })).toMatchObject({ ok: false, kind: "argument" });
  });

  it("drops a query pair whose argument is absent, but requires path arguments", () => {
    expect(fill("https://api.example.com/s?q={q}&units={u}", { q: "x" })).toMatchObject({
      url: "https://api.example.com/s?q=x",
    });
    expect(fill("https://api.example.com/s?u={u}", {})).toMatchObject({ url: "https://api.example.com/s" });
    expect(fill("https://api.example.com/w/{city}", {})).toMatchObject({ ok: false, kind: "argument" });
  });

  it("reports which arguments the URL used (the rest may become the body)", () => {
    const result = fill("https://api.example.com/w/{city}?d={days}", { city: "x", days: 1, note: "n" });
    expect(result.ok && [...result.usedArgs].sort()).toEqual(["city", "days"]);
  });

  it("fills ${VAR} placeholders before slots and reports their values as secrets", () => {
    const result = fill("${BASE}/w/{city}?key=${KEY}", { city: "${KEY}" });
    expect(result).toMatchObject({
      ok: true,
      url: "https://api.example.com/w/%24%7BKEY%7D?key=s3cret-value-123",
      secrets: ["https://api.example.com", "s3cret-value-123"],
    });
  });

  it("a missing variable is a misconfiguration naming the variable", () => {
    expect(fill("${NOPE}/w/{city}", { city: "x" })).toEqual({
      ok: false,
      kind: "misconfigured",
      message: "url needs variable NOPE, which is not set",
    });
  });
});

describe("fillUrlTemplate: slots in the host", () => {
  it("takes a host value only when it is allowlisted", () => {
    expect(fill("https://{region}/v1", { region: "eu.example.com" })).toMatchObject({
      ok: true,
      url: "https://eu.example.com/v1",
    });
    for (const region of [
      "evil.com",
      "eu.example.com@evil.com",
      "eu.example.com/x",
      "169.254.169.254",
      "EU.example.com.evil.com",
    ]) {
      expect(fill("https://{region}/v1", { region }), region).toMatchObject({ ok: false, kind: "argument" });
    }
  });

  it("a partial host slot must produce an allowlisted host", () => {
    expect(fill("https://{sub}.example.com/v1", { sub: "eu" })).toMatchObject({
      ok: true,
      url: "https://eu.example.com/v1",
    });
    for (const sub of ["evil", "eu.example.com.evil", "x@eu", "eu:8080", "eu/"]) {
      expect(fill("https://{sub}.example.com/v1", { sub }), sub).toMatchObject({ ok: false, kind: "argument" });
    }
  });

  it("refuses slots in the scheme or fragment as misconfiguration", () => {
    expect(fill("{scheme}://api.example.com/", { scheme: "http" })).toMatchObject({ ok: false, kind: "misconfigured" });
    expect(fill("https://api.example.com/#{f}", { f: "x" })).toMatchObject({ ok: false, kind: "misconfigured" });
  });
});

describe("encodeStrict", () => {
  it("leaves only unreserved characters", () => {
    expect(encodeStrict("AZaz09-_.~")).toBe("AZaz09-_.~");
    expect(encodeStrict("!'()*")).toBe("%21%27%28%29%2A");
  });
});
