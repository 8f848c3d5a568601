import type { ProviderType } from "../policy/types";

/**
 * `gen_ai.provider.name` per provider type: the OpenTelemetry GenAI conventions' well-known value where one exists,
 * else the type itself (the conventions allow a custom value). Self-hosted servers speak the OpenAI API but are not
 * OpenAI, so they keep their own names.
 */
const GEN_AI_PROVIDER_NAMES = {
  openai: "openai",
  groq: "groq",
  together: "together",
  mistral: "mistral_ai",
  deepseek: "deepseek",
  fireworks: "fireworks",
  "openai-compatible": "openai-compatible",
  vllm: "vllm",
  tgi: "tgi",
  sglang: "sglang",
  llamacpp: "llamacpp",
  anthropic: "anthropic",
  gemini: "gcp.gemini",
  "azure-openai": "azure.ai.openai",
  bedrock: "aws.bedrock",
  vertex: "gcp.vertex_ai",
  "vertex-anthropic": "gcp.vertex_ai",
} satisfies Record<ProviderType, string>;

export function genAiProviderName(type: ProviderType): string {
  return GEN_AI_PROVIDER_NAMES[type];
}
