// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` is the placeholder syntax of tool definitions under test.
import { describe, expect, it } from "vitest";
import { REDACTED, redactor } from "../../../src/tools/redact";
import { buildRequestHeaders } from "../../../src/tools/request-headers";
import { vars } from "./helpers";

const env = vars({ KEY: "secret-key-123", CRLF: "ok\r\nhost: evil.com", LF: "a\nb", NUL: "a\u0000b", WIDE: "é€" });

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

  it("leaves short values alone", () => {
    expect(redactor(["80", "true"])("port 80 is true")).toBe("port 80 is true");
  });
});
