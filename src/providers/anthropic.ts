/**
 * Anthropic Messages API as an upstream. Translation lives in `src/formats/anthropic/`; this file only decides what
 * cannot be honoured and builds the HTTP request. Credentials (`x-api-key`) and `anthropic-version` arrive in the
 * resolved provider's headers.
 */
import type { ChatRequest } from "../canonical/chat";
import { NON_OPENAI_UNSUPPORTED, unsupportedFields } from "../canonical/unsupported";
import { GatewayError } from "../errors";
import { countTokensBody, parseCountTokens } from "../formats/anthropic/count-tokens";
import { canonicalToAnthropicRequest } from "../formats/anthropic/upstream-request";
import { parseAnthropicMessage } from "../formats/anthropic/upstream-response";
import { decodeAnthropicStream } from "../formats/anthropic/upstream-stream";
import type { ProviderAdapter } from "./types";

/** Anthropic requires an output limit: used when neither the request nor the call options (policy) give one. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

function unsupportedParams(req: ChatRequest): string[] {
  const found = unsupportedFields(req, NON_OPENAI_UNSUPPORTED);
  // Content the translation cannot carry (temperature > 1, response_format, audio parts, ...), one field at a time.
  const translated = canonicalToAnthropicRequest(req, "", { defaultMaxTokens: ANTHROPIC_DEFAULT_MAX_TOKENS });
  if (!translated.ok && translated.param !== null) found.push(translated.param);
  return found;
}

/**
 * The Messages body for a canonical request, shared by every upstream that takes Anthropic's body (Anthropic, Vertex).
 * The planner skips targets with unsupported params; reaching here with one is a caller bug, refused loudly.
 */
export function anthropicRequestBody(req: ChatRequest, upstreamModel: string, defaultMaxTokens: number | undefined) {
  const unsupported = unsupportedParams(req);
  const translated = canonicalToAnthropicRequest(req, upstreamModel, {
    defaultMaxTokens: defaultMaxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
  });
  if (!translated.ok || unsupported.length > 0) {
    const param = translated.ok ? (unsupported[0] ?? null) : translated.param;
    const message = translated.ok
      ? `Parameter \`${param}\` is not supported by Anthropic upstreams`
      : translated.message;
    throw new GatewayError("unsupported_parameter", message, { param });
  }
  return translated.value;
}

export const anthropicAdapter: ProviderAdapter = {
  format: "anthropic",
  unsupportedParams,
  chatRequest(provider, upstreamModel, req, opts) {
    const translated = anthropicRequestBody(req, upstreamModel, opts.defaultMaxTokens);
    const body = opts.stream ? { ...translated, stream: true } : translated;
    return new Request(`${provider.baseUrl.replace(/\/+$/, "")}/messages`, {
      method: "POST",
      headers: {
        ...provider.headers,
        "content-type": "application/json",
        accept: opts.stream ? "text/event-stream" : "application/json",
      },
      body: JSON.stringify(body),
      ...(opts.signal === undefined ? {} : { signal: opts.signal }),
    });
  },
  countTokensRequest(provider, upstreamModel, req, signal) {
    const translated = canonicalToAnthropicRequest(req, upstreamModel, { defaultMaxTokens: 1 });
    if (!translated.ok)
      throw new GatewayError("unsupported_parameter", translated.message, { param: translated.param });
    return new Request(`${provider.baseUrl.replace(/\/+$/, "")}/messages/count_tokens`, {
      method: "POST",
      headers: { ...provider.headers, "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(countTokensBody(translated.value)),
      ...(signal === undefined ? {} : { signal }),
    });
  },
  parseCountTokens: (body) => parseCountTokens(body),
  parseChatResponse: (body) => parseAnthropicMessage(body),
  parseChatStream: (body, upstreamModel) => decodeAnthropicStream(body, upstreamModel),
};
