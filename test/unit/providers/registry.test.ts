import { describe, expect, it } from "vitest";
import type { ProviderType } from "../../../src/policy/types";
import { getAdapter, getPreset, isProviderType, PROVIDER_PRESETS, PROVIDER_TYPES } from "../../../src/providers";

const ALL: ProviderType[] = [
  "openai",
  "groq",
  "together",
  "mistral",
  "deepseek",
  "fireworks",
  "openai-compatible",
  "vllm",
  "tgi",
  "sglang",
  "llamacpp",
  "anthropic",
  "gemini",
];

/** Cloud providers: addresses built from settings, credentials turned into signatures or tokens by an authorizer. */
const CLOUD: ProviderType[] = ["azure-openai", "bedrock", "vertex", "vertex-anthropic"];

const ORIGINS: ProviderType[] = ["openai-compatible", "vllm", "tgi", "sglang", "llamacpp"];

describe("PROVIDER_PRESETS", () => {
  it("describes exactly the provider types", () => {
    expect([...PROVIDER_TYPES].sort()).toEqual([...ALL, ...CLOUD].sort());
    for (const type of ALL) expect(isProviderType(type)).toBe(true);
    expect(isProviderType("toString")).toBe(false);
    expect(isProviderType("azure")).toBe(false);
  });

  it.each(ALL)("%s has a usable preset", (type) => {
    const preset = getPreset(type);
    expect(getAdapter(type)).toBe(preset.adapter);
    expect(preset.authHeader).toBe(preset.authHeader.toLowerCase());
    if (ORIGINS.includes(type)) {
      expect(preset.defaultBaseUrl).toBeUndefined();
      expect(preset.credentialRequired).toBe(false);
    } else {
      expect(preset.defaultBaseUrl).toMatch(/^https:\/\/[^/]+\/.*v1/);
      expect(preset.defaultBaseUrl?.endsWith("/")).toBe(false);
      expect(preset.defaultApiKeySecret).toMatch(/^[A-Z]+_API_KEY$/);
      expect(preset.credentialRequired).toBe(true);
    }
  });

  it("pairs each provider with its wire format and credential header", () => {
    expect(getAdapter("anthropic").format).toBe("anthropic");
    expect(getAdapter("gemini").format).toBe("gemini");
    for (const type of ALL.filter((t) => t !== "anthropic" && t !== "gemini")) {
      expect(getAdapter(type).format).toBe("openai");
      expect(getPreset(type).authHeader).toBe("authorization");
    }
    expect(PROVIDER_PRESETS.anthropic).toMatchObject({
      authHeader: "x-api-key",
      defaultHeaders: { "anthropic-version": "2023-06-01" },
      defaultApiKeySecret: "ANTHROPIC_API_KEY",
    });
    expect(PROVIDER_PRESETS.gemini).toMatchObject({
      authHeader: "x-goog-api-key",
      defaultBaseUrl: "https://generativelanguage.googleapis.com/v1beta",
    });
  });

  it("records documented quirks as data", () => {
    const manyChoices = { model: "m", messages: [{ role: "user" as const, content: "x" }], n: 2, logprobs: true };
    expect(getAdapter("openai").unsupportedParams(manyChoices)).toEqual([]);
    expect(getAdapter("vllm").unsupportedParams(manyChoices)).toEqual([]);
    expect(getAdapter("groq").unsupportedParams(manyChoices)).toEqual(["n", "logprobs"]);
    expect(getAdapter("llamacpp").unsupportedParams(manyChoices)).toEqual(["n"]);
    expect(getAdapter("groq").embeddingsRequest).toBeUndefined();
    expect(getAdapter("openai").embeddingsRequest).toBeTypeOf("function");
  });
});

describe.each(CLOUD)("cloud preset %s", (type) => {
  it("builds its address from settings (cloud credentials go to an authorizer)", () => {
    const preset = getPreset(type);
    expect(preset.defaultBaseUrl).toMatch(/^https:\/\/[^/]*\{(region|resource)\}/);
    if (type !== "azure-openai") expect(preset.authorizer).toBeTypeOf("function");
    expect(preset.credentialRequired).toBe(true);
  });
});
