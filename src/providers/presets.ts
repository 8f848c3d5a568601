/**
 * Every provider type the policy can name, in one table: its adapter, default base URL, and how its credential is
 * sent. Quirks of OpenAI-compatible upstreams are data given to the shared factory, taken from each provider's docs.
 */
import type { ProviderType } from "../policy/types";
import { anthropicAdapter } from "./anthropic";
import { anthropicBatchApi } from "./anthropic-batch";
import { sigv4Authorizer } from "./aws-sigv4";
import { azureOpenAIAdapter } from "./azure-openai";
import { bedrockConverseAdapter } from "./bedrock";
import { geminiAdapter } from "./gemini";
import { googleOAuthAuthorizer } from "./google-oauth";
import { openAiBatchApi } from "./openai-batch";
import { createOpenAICompatibleAdapter } from "./openai-compatible";
import type { ProviderPreset } from "./types";
import { vertexAnthropicAdapter, vertexGeminiAdapter } from "./vertex";

const openaiAdapter = createOpenAICompatibleAdapter();

/** console.groq.com/docs/openai: these fields "result in a 400 error", and `n` must be 1. No embeddings endpoint. */
const groqAdapter = createOpenAICompatibleAdapter({
  embeddingsPath: null,
  unsupportedParams: [
    { param: "n", inert: [1] },
    { param: "logprobs", inert: [false] },
    { param: "top_logprobs" },
    { param: "logit_bias" },
  ],
  unsupportedMessageFields: ["name"],
});

/**
 * Mistral validates strictly (unknown fields are a 422 `extra_forbidden`), rejects `stream_options` and always ends
 * a stream with usage, names the seed `random_seed`, and knows only `max_tokens`.
 */
const mistralAdapter = createOpenAICompatibleAdapter({
  acceptsStreamOptions: false,
  renameParams: { max_completion_tokens: "max_tokens", seed: "random_seed" },
  unsupportedParams: [{ param: "logprobs", inert: [false] }, { param: "top_logprobs" }, { param: "logit_bias" }],
  dropParams: ["user"],
});

const deepseekAdapter = createOpenAICompatibleAdapter({ embeddingsPath: null });

/** TGI's Messages API reads `max_tokens` only, ignores `n` (always one choice) and serves no embeddings. */
const tgiAdapter = createOpenAICompatibleAdapter({
  embeddingsPath: null,
  renameParams: { max_completion_tokens: "max_tokens" },
  unsupportedParams: [{ param: "n", inert: [1] }],
});

/** llama.cpp's server refuses any `n` but 1 ("Only one completion choice is allowed"). */
const llamacppAdapter = createOpenAICompatibleAdapter({ unsupportedParams: [{ param: "n", inert: [1] }] });

const bearer = { authHeader: "authorization", credentialRequired: true } as const;

/** Self-hosted origins: the base URL must come from policy, and a credential is optional. */
function origin(adapter = openaiAdapter): ProviderPreset {
  return { adapter, authHeader: "authorization", credentialRequired: false };
}

export const PROVIDER_PRESETS = {
  openai: {
    ...bearer,
    adapter: openaiAdapter,
    defaultBaseUrl: "https://api.openai.com/v1",
    defaultApiKeySecret: "OPENAI_API_KEY",
    batchApi: openAiBatchApi,
  },
  groq: {
    ...bearer,
    adapter: groqAdapter,
    defaultBaseUrl: "https://api.groq.com/openai/v1",
    defaultApiKeySecret: "GROQ_API_KEY",
  },
  together: {
    ...bearer,
    adapter: openaiAdapter,
    defaultBaseUrl: "https://api.together.xyz/v1",
    defaultApiKeySecret: "TOGETHER_API_KEY",
  },
  mistral: {
    ...bearer,
    adapter: mistralAdapter,
    defaultBaseUrl: "https://api.mistral.ai/v1",
    defaultApiKeySecret: "MISTRAL_API_KEY",
  },
  deepseek: {
    ...bearer,
    adapter: deepseekAdapter,
    defaultBaseUrl: "https://api.deepseek.com/v1",
    defaultApiKeySecret: "DEEPSEEK_API_KEY",
  },
  fireworks: {
    ...bearer,
    adapter: openaiAdapter,
    defaultBaseUrl: "https://api.fireworks.ai/inference/v1",
    defaultApiKeySecret: "FIREWORKS_API_KEY",
  },
  "openai-compatible": origin(),
  vllm: origin(),
  tgi: origin(tgiAdapter),
  sglang: origin(),
  llamacpp: origin(llamacppAdapter),
  anthropic: {
    adapter: anthropicAdapter,
    defaultBaseUrl: "https://api.anthropic.com/v1",
    defaultApiKeySecret: "ANTHROPIC_API_KEY",
    authHeader: "x-api-key",
    defaultHeaders: { "anthropic-version": "2023-06-01" },
    credentialRequired: true,
    batchApi: anthropicBatchApi,
  },
  gemini: {
    adapter: geminiAdapter,
    defaultBaseUrl: "https://generativelanguage.googleapis.com/v1beta",
    defaultApiKeySecret: "GEMINI_API_KEY",
    authHeader: "x-goog-api-key",
    credentialRequired: true,
  },
  /**
   * Azure OpenAI: `api-key` header by default; for Entra ID set `auth_header: authorization` and name a secret that
   * holds the bearer token.
   */
  "azure-openai": {
    adapter: azureOpenAIAdapter,
    defaultBaseUrl: "https://{resource}.openai.azure.com/openai",
    defaultApiKeySecret: "AZURE_OPENAI_API_KEY",
    authHeader: "api-key",
    credentialRequired: true,
  },
  /** Converse / ConverseStream, SigV4-signed; `api_key_secret` names the secret access key. */
  bedrock: {
    adapter: bedrockConverseAdapter,
    defaultBaseUrl: "https://bedrock-runtime.{region}.amazonaws.com",
    defaultApiKeySecret: "AWS_SECRET_ACCESS_KEY",
    authHeader: "authorization",
    credentialRequired: true,
    authorizer: sigv4Authorizer("bedrock"),
  },
  /** Gemini on Vertex AI; `api_key_secret` names the service-account JSON, turned into OAuth access tokens. */
  vertex: {
    adapter: vertexGeminiAdapter,
    defaultBaseUrl: "https://{region}-aiplatform.googleapis.com/v1",
    defaultApiKeySecret: "GOOGLE_SERVICE_ACCOUNT_JSON",
    authHeader: "authorization",
    credentialRequired: true,
    authorizer: googleOAuthAuthorizer,
  },
  /** Anthropic models on Vertex AI (rawPredict / streamRawPredict), same credential as `vertex`. */
  "vertex-anthropic": {
    adapter: vertexAnthropicAdapter,
    defaultBaseUrl: "https://{region}-aiplatform.googleapis.com/v1",
    defaultApiKeySecret: "GOOGLE_SERVICE_ACCOUNT_JSON",
    authHeader: "authorization",
    credentialRequired: true,
    authorizer: googleOAuthAuthorizer,
  },
} satisfies Record<ProviderType, ProviderPreset>;
