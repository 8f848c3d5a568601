/**
 * One adapter for every upstream that speaks OpenAI Chat Completions. What differs between them (which fields they
 * reject, renamed fields, whether they accept `stream_options`) is data in `OpenAICompatibleOptions`; this file never
 * names a provider.
 */
import type { ChatRequest, EmbeddingsRequest } from "../canonical/chat";
import { foreignUnsupported, withoutForeignFields } from "../formats/openai/foreign-fields";
import { parseUpstreamCompletion, parseUpstreamEmbeddings } from "../formats/openai/upstream-response";
import { parseOpenAIStream } from "../formats/openai/upstream-stream";
import type { CallOptions, ProviderAdapter, ResolvedProvider } from "./types";

/** A request field the upstream rejects. Values listed in `inert` mean "the default" and are dropped, not refused. */
export interface UnsupportedParam {
  param: string;
  inert?: readonly unknown[];
}

export interface OpenAICompatibleOptions {
  /** Appended to the base URL (which includes the API version). Default `/chat/completions`. */
  chatPath?: string;
  /** Appended to the base URL; `null` when the upstream has no embeddings endpoint. Default `/embeddings`. */
  embeddingsPath?: string | null;
  /**
   * Whether the upstream accepts `stream_options`. When it does, the gateway asks for `include_usage` so it can meter
   * the stream; upstreams that reject the field are expected to report usage in their last chunk unasked.
   */
  acceptsStreamOptions?: boolean;
  /** Top-level request fields the upstream rejects; a non-inert value makes the planner skip this upstream. */
  unsupportedParams?: readonly UnsupportedParam[];
  /** Message fields the upstream rejects (reported as `messages.<field>`). */
  unsupportedMessageFields?: readonly string[];
  /** Canonical field -> the upstream's name for it (e.g. `seed` -> `random_seed`). The canonical value wins a clash. */
  renameParams?: Readonly<Record<string, string>>;
  /** Fields removed because they do not change the answer (e.g. `user`) and the upstream rejects them. */
  dropParams?: readonly string[];
}

function isInert(rule: UnsupportedParam, value: unknown): boolean {
  return value === undefined || value === null || (rule.inert?.includes(value) ?? false);
}

function jsonRequest(
  url: string,
  provider: ResolvedProvider,
  body: unknown,
  accept: string,
  signal?: AbortSignal,
): Request {
  return new Request(url, {
    method: "POST",
    headers: { ...provider.headers, "content-type": "application/json", accept },
    body: JSON.stringify(body),
    ...(signal === undefined ? {} : { signal }),
  });
}

export function createOpenAICompatibleAdapter(options: OpenAICompatibleOptions = {}): ProviderAdapter {
  const chatPath = options.chatPath ?? "/chat/completions";
  const embeddingsPath = options.embeddingsPath === undefined ? "/embeddings" : options.embeddingsPath;
  const acceptsStreamOptions = options.acceptsStreamOptions ?? true;
  const unsupported = options.unsupportedParams ?? [];
  const unsupportedMessageFields = options.unsupportedMessageFields ?? [];
  const renames = Object.entries(options.renameParams ?? {});
  const drops = options.dropParams ?? [];

  function unsupportedParams(req: ChatRequest): string[] {
    const found = unsupported.filter((rule) => !isInert(rule, req[rule.param])).map((rule) => rule.param);
    for (const field of unsupportedMessageFields) {
      if (req.messages.some((m) => m[field] !== undefined && m[field] !== null)) found.push(`messages.${field}`);
    }
    found.push(...foreignUnsupported(req));
    return found;
  }

  function chatBody(upstreamModel: string, req: ChatRequest, opts: CallOptions): Record<string, unknown> {
    // Everything the client sent goes through unless a rule below says otherwise.
    const body: Record<string, unknown> = { ...withoutForeignFields(req), model: upstreamModel };
    for (const rule of unsupported) if (isInert(rule, body[rule.param])) delete body[rule.param];
    for (const field of drops) delete body[field];
    for (const [from, to] of renames) {
      if (body[from] === undefined) continue;
      body[to] = body[from];
      delete body[from];
    }
    delete body.stream_options;
    if (opts.stream) {
      body.stream = true;
      if (acceptsStreamOptions) {
        const asked = req.stream_options ?? {};
        body.stream_options = { ...asked, include_usage: true };
      }
    } else {
      // OpenAI rejects `stream_options` without streaming; `stream` defaults to false everywhere.
      delete body.stream;
    }
    return body;
  }

  const adapter: ProviderAdapter = {
    format: "openai",
    unsupportedParams,
    chatRequest(provider, upstreamModel, req, opts) {
      const accept = opts.stream ? "text/event-stream" : "application/json";
      return jsonRequest(
        `${provider.baseUrl}${chatPath}`,
        provider,
        chatBody(upstreamModel, req, opts),
        accept,
        opts.signal,
      );
    },
    parseChatResponse: (body, upstreamModel) => parseUpstreamCompletion(body, upstreamModel),
    parseChatStream: (body, upstreamModel) => parseOpenAIStream(body, upstreamModel),
  };
  if (embeddingsPath !== null) {
    adapter.embeddingsRequest = (provider, upstreamModel, req: EmbeddingsRequest) =>
      jsonRequest(
        `${provider.baseUrl}${embeddingsPath}`,
        provider,
        { ...req, model: upstreamModel },
        "application/json",
      );
    adapter.parseEmbeddingsResponse = (body, upstreamModel) => parseUpstreamEmbeddings(body, upstreamModel);
  }
  return adapter;
}
