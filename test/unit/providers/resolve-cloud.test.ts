import { describe, expect, it } from "vitest";
import type { ProviderConfig } from "../../../src/policy/types";
import { resolveProvider } from "../../../src/providers";

/** Cloud providers: address from settings, credentials to an authorizer, reasons that name variables, not values. */

const vars: Record<string, string> = {
  AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
  AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  AWS_SESSION_TOKEN: "session-token-value",
};
const lookup = (name: string) => vars[name];
const config = (over: Partial<ProviderConfig>): ProviderConfig => ({ id: "c1", type: "bedrock", headers: {}, ...over });

describe("resolveProvider (cloud)", () => {
  it("builds the Bedrock address from the region and keeps the credential out of the headers", () => {
    const result = resolveProvider(config({ region: "eu-central-1" }), lookup);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.provider.baseUrl).toBe("https://bedrock-runtime.eu-central-1.amazonaws.com");
    expect(result.provider.headers).toEqual({});
    expect(result.provider.settings).toEqual({ region: "eu-central-1" });
    expect(result.provider.authorizer).toBeDefined();
    expect(JSON.stringify(result.provider)).not.toContain(vars.AWS_SECRET_ACCESS_KEY);
  });

  it("signs a request with SigV4 for the configured region and service, session token included", async () => {
    const result = resolveProvider(
      config({ region: "us-west-2", session_token_secret: "AWS_SESSION_TOKEN", base_url: "http://127.0.0.1:9/b" }),
      lookup,
    );
    if (!result.ok) throw new Error(result.reason);
    const request = new Request("http://127.0.0.1:9/b/model/m%3A0/converse", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    const signed = await result.provider.authorizer?.authorize(request, fetch);
    expect(signed?.headers.get("authorization")).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-west-2\/bedrock\/aws4_request, SignedHeaders=\S+, Signature=[0-9a-f]{64}$/,
    );
    expect(signed?.headers.get("x-amz-security-token")).toBe(vars.AWS_SESSION_TOKEN);
    expect(await signed?.text()).toBe("{}");
  });

  it.each([
    [{ region: "us-east-1", access_key_id_secret: "MISSING_KEY_ID" }, "credential variable MISSING_KEY_ID is not set"],
    [{ region: "us-east-1", session_token_secret: "MISSING_TOKEN" }, "credential variable MISSING_TOKEN is not set"],
    [{ region: "us-east-1", api_key_secret: "NOPE" }, "credential variable NOPE is not set"],
    [{}, "no base_url configured"],
  ])("refuses %j: %s", (over, reason) => {
    const result = resolveProvider(config(over), lookup);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });
});
