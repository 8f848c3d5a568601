import type { ChatRequest, ChatResponse, ChunkEvent, EmbeddingsRequest, EmbeddingsResponse } from "../canonical/chat";
import type { ProviderType } from "../policy/types";

/** A provider resolved for one call: URL and credentials filled in from Worker secrets. Never logged or returned. */
export interface ResolvedProvider {
  id: string;
  type: ProviderType;
  baseUrl: string;
  /** Credential and static headers, ready to send. */
  headers: Record<string, string>;
}

export interface CallOptions {
  stream: boolean;
  /** The model's max output tokens from policy, for wire formats that require a limit when the client sent none. */
  defaultMaxTokens?: number;
  /** Aborts the upstream call (attempt timeout, client gone); set on the Request so fetch needs no second copy. */
  signal?: AbortSignal;
}

/**
 * One wire format spoken to an upstream. Adapters translate the canonical (OpenAI-shaped) request into the
 * upstream's and its answers back; they know nothing about routing, retries or billing.
 * Adapters throw `UpstreamProtocolError` when an upstream answer does not parse.
 */
export interface ProviderAdapter {
  readonly format: "openai" | "anthropic" | "gemini";
  /** Request fields this adapter cannot honour for `req` (e.g. `n` > 1). The planner skips such targets. */
  unsupportedParams(req: ChatRequest): string[];
  chatRequest(provider: ResolvedProvider, upstreamModel: string, req: ChatRequest, opts: CallOptions): Request;
  parseChatResponse(body: unknown, upstreamModel: string): ChatResponse;
  /** Canonical chunks from the upstream's stream body, yielded as they arrive (never buffered to the end). */
  parseChatStream(body: ReadableStream<Uint8Array>, upstreamModel: string): AsyncIterable<ChunkEvent>;
  embeddingsRequest?(provider: ResolvedProvider, upstreamModel: string, req: EmbeddingsRequest): Request;
  parseEmbeddingsResponse?(body: unknown, upstreamModel: string): EmbeddingsResponse;
}

/** Static facts about a provider type: which adapter, default base URL, how the credential is sent. */
export interface ProviderPreset {
  adapter: ProviderAdapter;
  defaultBaseUrl?: string;
  defaultApiKeySecret?: string;
  /** Lower-case header name; `authorization` values get a `Bearer ` prefix. */
  authHeader: string;
  defaultHeaders?: Record<string, string>;
  /** Origins (self-hosted clusters) may run without a credential; hosted providers may not. */
  credentialRequired: boolean;
}
