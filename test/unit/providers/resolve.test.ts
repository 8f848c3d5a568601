import { describe, expect, it } from "vitest";
import type { ProviderConfig } from "../../../src/policy/types";
import { resolveProvider } from "../../../src/providers";

const SECRET = "sk-live-9d8f7e";
/** `${NAME}`, the policy placeholder syntax (built here so it is not mistaken for a template literal). */
const v = (name: string) => `\${${name}}`;

const vars: Record<string, string> = {
  OPENAI_API_KEY: SECRET,
  ORIGIN_HOST: "gpu-1.internal.test",
  ORIGIN_TOKEN: "origin-token",
  TENANT: "acme",
  EMPTY: "",
  BAD_KEY: "line1\nline2",
};
const lookup = (name: string) => vars[name];

const config = (over: Partial<ProviderConfig>): ProviderConfig => ({ id: "p1", type: "openai", headers: {}, ...over });

describe("resolveProvider", () => {
  it("uses the preset's base URL and credential for a hosted provider", () => {
    expect(resolveProvider(config({}), lookup)).toEqual({
      ok: true,
      provider: {
        id: "p1",
        type: "openai",
        baseUrl: "https://api.openai.com/v1",
        headers: { authorization: `Bearer ${SECRET}` },
      },
    });
  });

  it("fills placeholders in base_url and headers, and strips a trailing slash", () => {
    const result = resolveProvider(
      config({
        id: "gpu",
        type: "vllm",
        base_url: `https://${v("ORIGIN_HOST")}:8443/v1/`,
        api_key_secret: "ORIGIN_TOKEN",
        headers: { "X-Tenant": `t-${v("TENANT")}-${v("TENANT")}` },
      }),
      lookup,
    );
    expect(result).toEqual({
      ok: true,
      provider: {
        id: "gpu",
        type: "vllm",
        baseUrl: "https://gpu-1.internal.test:8443/v1",
        headers: { "x-tenant": "t-acme-acme", authorization: "Bearer origin-token" },
      },
    });
  });

  it("lets an origin run without a credential", () => {
    const result = resolveProvider(config({ type: "llamacpp", base_url: "http://127.0.0.1:8080/v1" }), lookup);
    expect(result).toEqual({
      ok: true,
      provider: { id: "p1", type: "llamacpp", baseUrl: "http://127.0.0.1:8080/v1", headers: {} },
    });
  });

  it("sends the raw key in a non-authorization header, with the preset's default headers", () => {
    const result = resolveProvider(
      config({ type: "anthropic", api_key_secret: "OPENAI_API_KEY", headers: { "anthropic-beta": "tools-1" } }),
      lookup,
    );
    expect(result.ok && result.provider.headers).toEqual({
      "anthropic-version": "2023-06-01",
      "anthropic-beta": "tools-1",
      "x-api-key": SECRET,
    });
  });

  it("honours a custom auth_header", () => {
    const result = resolveProvider(config({ auth_header: "API-Key" }), lookup);
    expect(result.ok && result.provider.headers).toEqual({ "api-key": SECRET });
  });

  it.each<[string, Partial<ProviderConfig>, string]>([
    ["a missing default secret", { type: "groq" }, "GROQ_API_KEY"],
    [
      "a missing named secret, even for an origin",
      { type: "vllm", base_url: "http://h/v1", api_key_secret: "VLLM_KEY" },
      "VLLM_KEY",
    ],
    ["an empty secret", { api_key_secret: "EMPTY" }, "EMPTY"],
    ["a missing base_url variable", { type: "tgi", base_url: `https://${v("TGI_HOST")}/v1` }, "TGI_HOST"],
    ["a missing header variable", { headers: { "x-org": v("ORG_ID") } }, "ORG_ID"],
    ["an origin without base_url", { type: "sglang" }, "no base_url"],
    ["a non-http scheme", { base_url: "ftp://files.test/v1" }, "http: or https:"],
    ["a file URL", { base_url: "file:///etc/passwd" }, "http: or https:"],
    ["an unparsable URL", { base_url: "not a url" }, "not a valid URL"],
    ["a query string", { base_url: `https://h.test/v1?key=${v("OPENAI_API_KEY")}` }, "query"],
    ["a credential with a line break", { api_key_secret: "BAD_KEY" }, "BAD_KEY"],
    ["an invalid header name", { headers: { "bad header": "x" } }, "bad header"],
  ])("refuses %s, naming the provider and the problem but no value", (_, over, expected) => {
    const result = resolveProvider(config(over), lookup);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toContain("'p1'");
    expect(result.reason).toContain(expected);
    for (const value of Object.values(vars).filter((v) => v.length > 0)) expect(result.reason).not.toContain(value);
  });
});
