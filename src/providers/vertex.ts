/**
 * Google Vertex AI: Gemini models (`publishers/google`, generateContent / streamGenerateContent) and Anthropic
 * models (`publishers/anthropic`, rawPredict / streamRawPredict with the Anthropic Messages body). The wire formats
 * are the existing Gemini and Anthropic translations; only the URL and the body's envelope differ. The OAuth access
 * token is added by the provider's authorizer (google-oauth.ts).
 */
import { GatewayError } from "../errors";
import { parseAnthropicMessage } from "../formats/anthropic/upstream-response";
import { decodeAnthropicStream } from "../formats/anthropic/upstream-stream";
import { geminiUnsupportedParams } from "../formats/gemini/unsupported-params";
import { fromOpenAIRequest } from "../formats/gemini/upstream-request";
import { toOpenAIResponse } from "../formats/gemini/upstream-response";
import { decodeGeminiStream } from "../formats/gemini/upstream-stream";
import { anthropicAdapter, anthropicRequestBody } from "./anthropic";
import type { ProviderAdapter, ResolvedProvider } from "./types";

/** Vertex's Anthropic endpoints take the Messages body with this in place of the `anthropic-version` header. */
export const VERTEX_ANTHROPIC_VERSION = "vertex-2023-10-16";

function modelUrl(provider: ResolvedProvider, publisher: string, model: string, method: string): string {
  const project = provider.settings?.project;
  const region = provider.settings?.region;
  // The policy build requires both for Vertex types; a hand-built provider without them is a bug.
  if (project === undefined || region === undefined) {
    throw new GatewayError("provider_not_configured", "Vertex provider needs project and region");
  }
  const path = `projects/${encodeURIComponent(project)}/locations/${encodeURIComponent(region)}`;
  return `${provider.baseUrl}/${path}/publishers/${publisher}/models/${encodeURIComponent(model)}:${method}`;
}

function post(url: string, provider: ResolvedProvider, body: unknown, accept: string, signal?: AbortSignal) {
  return new Request(url, {
    method: "POST",
    headers: { ...provider.headers, "content-type": "application/json", accept },
    body: JSON.stringify(body),
    ...(signal === undefined ? {} : { signal }),
  });
}

export const vertexGeminiAdapter: ProviderAdapter = {
  format: "gemini",
  unsupportedParams: geminiUnsupportedParams,
  chatRequest(provider, upstreamModel, req, opts) {
    const body = fromOpenAIRequest(req, { model: upstreamModel });
    return opts.stream
      ? post(
          modelUrl(provider, "google", upstreamModel, "streamGenerateContent?alt=sse"),
          provider,
          body,
          "text/event-stream",
          opts.signal,
        )
      : post(
          modelUrl(provider, "google", upstreamModel, "generateContent"),
          provider,
          body,
          "application/json",
          opts.signal,
        );
  },
  parseChatResponse: (body, upstreamModel) => toOpenAIResponse(body, upstreamModel),
  parseChatStream: (body, upstreamModel) => decodeGeminiStream(body, upstreamModel),
};

export const vertexAnthropicAdapter: ProviderAdapter = {
  format: "anthropic",
  unsupportedParams: (req) => anthropicAdapter.unsupportedParams(req),
  chatRequest(provider, upstreamModel, req, opts) {
    // The model is in the path; Vertex refuses it in the body.
    const { model: _model, ...rest } = anthropicRequestBody(req, upstreamModel, opts.defaultMaxTokens);
    const body = { anthropic_version: VERTEX_ANTHROPIC_VERSION, ...rest, ...(opts.stream ? { stream: true } : {}) };
    const method = opts.stream ? "streamRawPredict" : "rawPredict";
    const accept = opts.stream ? "text/event-stream" : "application/json";
    return post(modelUrl(provider, "anthropic", upstreamModel, method), provider, body, accept, opts.signal);
  },
  parseChatResponse: (body) => parseAnthropicMessage(body),
  parseChatStream: (body, upstreamModel) => decodeAnthropicStream(body, upstreamModel),
};
