import type { ChatRequest, ChatResponse, ChunkEvent, EmbeddingsRequest, EmbeddingsResponse } from "../canonical/chat";
import type { GatewayError } from "../errors";
import type { CloudSettings, ProviderConfig, ProviderType } from "../policy/types";

/** A provider resolved for one call: URL and credentials filled in from Worker secrets. Never logged or returned. */
export interface ResolvedProvider {
  id: string;
  type: ProviderType;
  baseUrl: string;
  /** Credential and static headers, ready to send. */
  headers: Record<string, string>;
  /** Cloud providers' settings from policy (region, project, api version, deployments). */
  settings?: CloudSettings;
  /** Cloud providers whose requests are signed or carry short-lived tokens. */
  authorizer?: RequestAuthorizer;
}

export type Fetch = (request: Request) => Promise<Response>;

/**
 * Authenticates a built request just before it is sent, for credentials that need async work (SigV4 signatures over
 * the body, OAuth access tokens fetched and cached). Lives on the resolved provider, so its cache lives as long as
 * the isolate's resolved providers do. It never logs credentials and its errors never contain them.
 */
export interface RequestAuthorizer {
  authorize(request: Request, fetch: Fetch): Promise<Request>;
  /** The upstream refused the credential (401): forget cached tokens, so the next `authorize` gets fresh ones. */
  invalidate?(): void;
}

export type AuthorizerResult = { ok: true; authorizer: RequestAuthorizer } | { ok: false; reason: string };

/**
 * Builds a provider's authorizer from its credential (the value of its `api_key_secret`) and other secrets by name.
 * Reasons name variables, never values.
 */
export type AuthorizerFactory = (
  config: ProviderConfig,
  credential: string,
  lookup: (name: string) => string | undefined,
) => AuthorizerResult;

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
  readonly format: "openai" | "anthropic" | "gemini" | "bedrock";
  /** Request fields this adapter cannot honour for `req` (e.g. `n` > 1). The planner skips such targets. */
  unsupportedParams(req: ChatRequest): string[];
  chatRequest(provider: ResolvedProvider, upstreamModel: string, req: ChatRequest, opts: CallOptions): Request;
  parseChatResponse(body: unknown, upstreamModel: string): ChatResponse;
  /** Canonical chunks from the upstream's stream body, yielded as they arrive (never buffered to the end). */
  parseChatStream(body: ReadableStream<Uint8Array>, upstreamModel: string): AsyncIterable<ChunkEvent>;
  embeddingsRequest?(provider: ResolvedProvider, upstreamModel: string, req: EmbeddingsRequest): Request;
  /** The upstream's own prompt-token count for `req` (a free call), where the wire format has one. */
  countTokensRequest?(
    provider: ResolvedProvider,
    upstreamModel: string,
    req: ChatRequest,
    signal?: AbortSignal,
  ): Request;
  /** The count from the answer to `countTokensRequest`; throws `UpstreamProtocolError` when it does not parse. */
  parseCountTokens?(body: unknown): number;
  parseEmbeddingsResponse?(body: unknown, upstreamModel: string): EmbeddingsResponse;
  /**
   * A client-facing error for an upstream refusal this wire format documents (e.g. a content-filter 400), from the
   * error body; undefined for anything else. Its message is the adapter's own, never the upstream's text.
   */
  refusalError?(status: number, body: unknown): GatewayError | undefined;
}

/** Static facts about a provider type: which adapter, default base URL, how the credential is sent. */
export interface ProviderPreset {
  adapter: ProviderAdapter;
  /** May contain `{region}`, `{project}` or `{resource}`, filled from the provider's settings. */
  defaultBaseUrl?: string;
  defaultApiKeySecret?: string;
  /** Lower-case header name; `authorization` values get a `Bearer ` prefix. */
  authHeader: string;
  defaultHeaders?: Record<string, string>;
  /** Origins (self-hosted clusters) may run without a credential; hosted providers may not. */
  credentialRequired: boolean;
  /** When set, the credential goes to this factory instead of into `authHeader`. */
  authorizer?: AuthorizerFactory;
  /** The provider's own Batch API, where it has one (a route's `batch.via: provider` may send batches to it). */
  batchApi?: ProviderBatchApi;
}

/**
 * Where a provider batch is. `running` covers validating, in progress, finalizing and cancelling; `completed` lists
 * the result references `lines` reads (output and error files, or a results URL).
 */
export type ProviderBatchState =
  | { state: "running" }
  | { state: "completed"; results: string[] }
  | { state: "failed" | "expired" | "cancelled" };

/** One result of a provider batch. `outcome` says why a failed one has no answer, where the provider says so. */
export type ProviderBatchLine =
  | { customId: string; ok: true; body: unknown }
  | { customId: string; ok: false; status: number; message: string; outcome?: "canceled" | "expired" };

/** One item as the interactive path would send it: the path below the provider's base URL and the JSON body. */
export interface ProviderBatchRequest {
  path: string;
  body: Record<string, unknown>;
}

export interface ProviderBatchApi {
  /**
   * One input line carrying `request` (built by the provider's own adapter, so the translation is the interactive
   * one). Throws a `GatewayError` for a request this batch API cannot carry (the item then fails on its own).
   */
  inputLine(customId: string, request: ProviderBatchRequest): string;
  /** Creates the batch from the lines (all for `path`), with the caller's batch metadata; answers its id. */
  submit(
    provider: ResolvedProvider,
    fetch: Fetch,
    lines: string[],
    path: string,
    metadata?: Record<string, string> | null,
  ): Promise<string>;
  status(provider: ResolvedProvider, fetch: Fetch, batchId: string): Promise<ProviderBatchState>;
  /** Asks the provider to stop the batch; what already ran stays in its results. */
  cancel(provider: ResolvedProvider, fetch: Fetch, batchId: string): Promise<void>;
  /** Every result behind one of `completed.results`. */
  lines(provider: ResolvedProvider, fetch: Fetch, ref: string): Promise<ProviderBatchLine[]>;
}
