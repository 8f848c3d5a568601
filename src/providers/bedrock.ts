/**
 * AWS Bedrock Runtime's Converse and ConverseStream APIs: one translation (src/formats/bedrock/) for every model
 * family Bedrock serves. Requests are signed with SigV4 (aws-sigv4.ts) by the provider's authorizer after they are
 * built; the model id goes in the path, URL-encoded (ids such as `anthropic.claude-...-v1:0` contain `:`).
 */
import { GatewayError } from "../errors";
import { toConverseRequest, unsupportedConverseParams } from "../formats/bedrock/upstream-request";
import { parseConverseResponse } from "../formats/bedrock/upstream-response";
import { decodeConverseStream } from "../formats/bedrock/upstream-stream";
import type { ProviderAdapter } from "./types";

export const bedrockConverseAdapter: ProviderAdapter = {
  format: "bedrock",
  unsupportedParams: unsupportedConverseParams,
  chatRequest(provider, upstreamModel, req, opts) {
    const translated = toConverseRequest(req, { defaultMaxTokens: opts.defaultMaxTokens });
    const unsupported = unsupportedConverseParams(req);
    // The planner skips targets with unsupported params; reaching here with one is a caller bug, refused loudly.
    if (!translated.ok || unsupported.length > 0) {
      const param = translated.ok ? (unsupported[0] ?? null) : translated.param;
      const message = translated.ok
        ? `Parameter \`${param}\` is not supported by Bedrock Converse upstreams`
        : translated.message;
      throw new GatewayError("unsupported_parameter", message, { param });
    }
    const action = opts.stream ? "converse-stream" : "converse";
    return new Request(`${provider.baseUrl}/model/${encodeURIComponent(upstreamModel)}/${action}`, {
      method: "POST",
      headers: {
        ...provider.headers,
        "content-type": "application/json",
        accept: opts.stream ? "application/vnd.amazon.eventstream" : "application/json",
      },
      body: JSON.stringify(translated.value),
      ...(opts.signal === undefined ? {} : { signal: opts.signal }),
    });
  },
  parseChatResponse: (body, upstreamModel) => parseConverseResponse(body, upstreamModel),
  parseChatStream: (body, upstreamModel) => decodeConverseStream(body, upstreamModel),
};
