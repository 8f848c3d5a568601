import type { ChatRequest, EmbeddingsRequest } from "../canonical/chat";
import { fromGeminiEmbedResponse, toGeminiEmbedRequest } from "../formats/gemini/embeddings";
import { geminiUnsupportedParams } from "../formats/gemini/unsupported-params";
import { fromOpenAIRequest } from "../formats/gemini/upstream-request";
import { toOpenAIResponse } from "../formats/gemini/upstream-response";
import { decodeGeminiStream } from "../formats/gemini/upstream-stream";
import type { CallOptions, ProviderAdapter, ResolvedProvider } from "./types";

/**
 * Google Gemini API (generativelanguage.googleapis.com, `v1beta` in the base URL). The credential header
 * (`x-goog-api-key`) is already in `provider.headers`; the key is never put in the URL, so it cannot leak into logs.
 */

function modelUrl(provider: ResolvedProvider, model: string, method: string): string {
  const base = provider.baseUrl.replace(/\/+$/, "");
  const name = model.replace(/^models\//, "");
  return `${base}/models/${encodeURIComponent(name)}:${method}`;
}

function post(url: string, provider: ResolvedProvider, body: unknown, accept: string, signal?: AbortSignal): Request {
  return new Request(url, {
    method: "POST",
    headers: { ...provider.headers, "content-type": "application/json", accept },
    body: JSON.stringify(body),
    ...(signal === undefined ? {} : { signal }),
  });
}

export const geminiAdapter: ProviderAdapter = {
  format: "gemini",

  unsupportedParams(req: ChatRequest): string[] {
    return geminiUnsupportedParams(req);
  },

  chatRequest(provider: ResolvedProvider, upstreamModel: string, req: ChatRequest, opts: CallOptions): Request {
    const body = fromOpenAIRequest(req, { model: upstreamModel });
    return opts.stream
      ? post(
          modelUrl(provider, upstreamModel, "streamGenerateContent?alt=sse"),
          provider,
          body,
          "text/event-stream",
          opts.signal,
        )
      : post(modelUrl(provider, upstreamModel, "generateContent"), provider, body, "application/json", opts.signal);
  },

  parseChatResponse(body: unknown, upstreamModel: string) {
    return toOpenAIResponse(body, upstreamModel);
  },

  parseChatStream(body: ReadableStream<Uint8Array>, upstreamModel: string) {
    return decodeGeminiStream(body, upstreamModel);
  },

  embeddingsRequest(provider: ResolvedProvider, upstreamModel: string, req: EmbeddingsRequest): Request {
    const body = toGeminiEmbedRequest(req, upstreamModel);
    return post(modelUrl(provider, upstreamModel, "batchEmbedContents"), provider, body, "application/json");
  },

  parseEmbeddingsResponse(body: unknown, upstreamModel: string) {
    return fromGeminiEmbedResponse(body, upstreamModel);
  },
};
