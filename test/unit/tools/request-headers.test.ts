// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` is the placeholder syntax of tool definitions under test.
import { describe, expect, it } from "vitest";
import { REDACTED, redactor } from "../../../src/tools/redact";
import { buildRequestHeaders } from "../../../src/tools/request-headers";
import { vars } from "./helpers";

const env = vars({
  KEY: "secret-key-123",
  SHORT: "k3y9z",
  CRLF: "ok\r\nhost: evil.com",
  LF: "a\nb",
  NUL: "a\u0000b",
  WIDE: "é€",
});

describe("buildRequestHeaders", () => {
  it("fills secrets into policy headers and reports their values for redaction", () => {
    const result = buildRequestHeaders({ Authorization: "Bearer ${KEY}", "x-static": "1" }, env, { accept: "*/*" });
    expect(result).toEqual({
      ok: true,
      headers: { authorization: "Bearer secret-key-123", "x-static": "1", accept: "*/*" },
      secrets: ["secret-key-123"],
    });
  });

  it("lets the policy override a default", () => {
    expect(buildRequestHeaders({ accept: "text/csv" }, env, { accept: "*/*" })).toMatchObject({
      headers: { accept: "text/csv" },
    });
  });

  it.each(["${CRLF}", "x ${LF}", "${NUL}", "${WIDE}", "a\rb"])(
    "refuses a value with a line break or control after filling: %j",
    (value) => {
      const result = buildRequestHeaders({ "x-key": value }, env, {});
      expect(result.ok).toBe(false);
      // The reason names the header, never the value.
      if (!result.ok) {
        expect(result.reason).toContain("x-key");
        expect(result.reason).not.toContain("evil");
      }
    },
  );

  it.each(["Host", "host", "content-length", "Transfer-Encoding", "connection", "x-forwarded-for", "cf-connecting-ip"])(
    "refuses the framing/routing header %s",
    (name) => {
      expect(buildRequestHeaders({ [name]: "x" }, env, {}).ok).toBe(false);
    },
  );

  it("refuses header names that are not tokens", () => {
    expect(buildRequestHeaders({ "x key": "1" }, env, {}).ok).toBe(false);
    expect(buildRequestHeaders({ "x-key\r\nhost": "1" }, env, {}).ok).toBe(false);
  });

  it("refuses a header credential too short to scrub from results, naming the header and not the value", () => {
    const result = buildRequestHeaders({ authorization: "Bearer ${SHORT}" }, env, {});
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/authorization.*too short to scrub/) });
    if (!result.ok) expect(result.reason).not.toContain("k3y9z");
  });

  it("refuses a missing variable by name", () => {
    expect(buildRequestHeaders({ authorization: "Bearer ${NOPE}" }, env, {})).toEqual({
      ok: false,
      reason: "header authorization needs variable NOPE, which is not set",
    });
  });
});

describe("redactor", () => {
  it("replaces raw, JSON-escaped and percent-encoded spellings of a secret", () => {
    const secret = 'se"cret/val ue';
    const redact = redactor([secret]);
    expect(redact(`a ${secret} b`)).toBe(`a ${REDACTED} b`);
    expect(redact(JSON.stringify({ h: secret }))).toBe(`{"h":"${REDACTED}"}`);
    expect(redact(`q=${encodeURIComponent(secret)}`)).toBe(`q=${REDACTED}`);
  });

  const SECRET = "tool-secret-5f2e9c1d7b3a";
  const bytes = (text: string) => new TextEncoder().encode(text);
  const b64 = (text: string) => btoa(String.fromCharCode(...bytes(text)));
  const b64url = (text: string) => b64(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
  const hex = (text: string) => [...bytes(text)].map((b) => b.toString(16).padStart(2, "0")).join("");

  describe.each([
    ["raw", SECRET],
    ["upper case", SECRET.toUpperCase()],
    ["JSON-escaped with \\/", JSON.stringify(`a/${SECRET}`).slice(1, -1).replaceAll("/", "\\/")],
    ["percent-encoded", encodeURIComponent(`x ${SECRET}`)],
    ["form-encoded", encodeURIComponent(`x ${SECRET} y`).replaceAll("%20", "+")],
    ["hex", hex(SECRET)],
    ["upper-case hex", hex(SECRET).toUpperCase()],
    ["base64", b64(SECRET)],
    ["base64url", b64url(SECRET)],
    ["base64 inside Basic auth (user:secret)", b64(`user:${SECRET}`)],
    ["base64 at offset 1", b64(`a${SECRET}`)],
    ["base64 at offset 2", b64(`ab${SECRET}xyz`)],
    ["base64url at offset 2", b64url(`ab${SECRET}?`)],
  ])("a %s copy of a secret", (_label, copy) => {
    it("is scrubbed, and what is left does not decode back to the secret", () => {
      const out = redactor([SECRET])(`echo: ${copy} end`);
      expect(out).toContain(REDACTED);
      expect(out.toLowerCase()).not.toContain(SECRET.toLowerCase());
      // No encoded copy survives: the longest run of the original encoded text left is shorter than the secret.
      const leftovers = out.split(REDACTED).map((part) => part.replace(/^echo: |end$| end$/g, ""));
      for (const part of leftovers) expect(part.length).toBeLessThan(SECRET.length);
    });
  });

  it("leaves short values alone", () => {
    expect(redactor(["80", "true"])("port 80 is true")).toBe("port 80 is true");
  });
});
