/**
 * Anthropic Messages API as an upstream. Translation lives in `src/formats/anthropic/`; this file only decides what
 * cannot be honoured and builds the HTTP request. Credentials (`x-api-key`) and `anthropic-version` arrive in the
 * resolved provider's headers.
 */
import type { ChatRequest } from "../canonical/chat";
import { GatewayError } from "../errors";
import { countTokensBody, parseCountTokens } from "../formats/anthropic/count-tokens";
import { canonicalToAnthropicRequest } from "../formats/anthropic/upstream-request";
import { parseAnthropicMessage } from "../formats/anthropic/upstream-response";
import { decodeAnthropicStream } from "../formats/anthropic/upstream-stream";
import type { ProviderAdapter } from "./types";

/** Anthropic requires an output limit: used when neither the request nor the call options (policy) give one. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

/** Request fields with no Anthropic equivalent; values in `inert` mean "the default" and are dropped, not refused. */
const UNSUPPORTED: readonly { param: string; inert: readonly unknown[] }[] = [
  { param: "n", inert: [1] },
  { param: "logprobs", inert: [false] },
  { param: "top_logprobs", inert: [0] },
  // Anthropic has no seed: honouring the request would mean promising determinism we cannot give.
  { param: "seed", inert: [] },
  { param: "presence_penalty", inert: [0] },
  { param: "frequency_penalty", inert: [0] },
  { param: "logit_bias", inert: [] },
  { param: "audio", inert: [] },
  { param: "prediction", inert: [] },
  { param: "web_search_options", inert: [] },
  { param: "functions", inert: [] },
  { param: "function_call", inert: [] },
];

function unsupportedParams(req: ChatRequest): string[] {
  const found: string[] = [];
  for (const { param, inert } of UNSUPPORTED) {
    const value = req[param];
    if (value !== undefined && value !== null && !inert.includes(value)) found.push(param);
  }
  if (Array.isArray(req.modalities) && req.modalities.some((m) => m !== "text")) found.push("modalities");
  // Content the translation cannot carry (temperature > 1, response_format, audio parts, ...), one field at a time.
  const translated = canonicalToAnthropicRequest(req, "", { defaultMaxTokens: ANTHROPIC_DEFAULT_MAX_TOKENS });
  if (!translated.ok && translated.param !== null) found.push(translated.param);
  return found;
}

export const anthropicAdapter: ProviderAdapter = {
  format: "anthropic",
  unsupportedParams,
  chatRequest(provider, upstreamModel, req, opts) {
    const unsupported = unsupportedParams(req);
    const defaultMaxTokens = opts.defaultMaxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS;
    const translated = canonicalToAnthropicRequest(req, upstreamModel, { defaultMaxTokens });
    // The planner skips targets with unsupported params; reaching here with one is a caller bug, refused loudly.
    if (!translated.ok || unsupported.length > 0) {
      const param = translated.ok ? (unsupported[0] ?? null) : translated.param;
      const message = translated.ok
        ? `Parameter \`${param}\` is not supported by Anthropic upstreams`
        : translated.message;
      throw new GatewayError("unsupported_parameter", message, { param });
    }
    const body = opts.stream ? { ...translated.value, stream: true } : translated.value;
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
