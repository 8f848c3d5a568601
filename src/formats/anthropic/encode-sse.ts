import type { ChunkEvent } from "../../canonical/chat";
import { ERROR_CODES, GatewayError } from "../../errors";
import { anthropicStreamError, encodeAnthropicStream } from "./client-stream";

/** Canonical events -> Anthropic Messages SSE; a failure after the first byte becomes an in-band `error` event. */
export async function* anthropicSse(
  events: AsyncIterable<ChunkEvent>,
  meta: { model: string; messageId: string; inputTokens?: number },
): AsyncGenerator<string> {
  try {
    yield* encodeAnthropicStream(events, meta);
  } catch (err) {
    const gatewayError =
      err instanceof GatewayError
        ? err
        : new GatewayError("upstream_error", "Upstream stream failed after it started.");
    yield anthropicStreamError(ERROR_CODES[gatewayError.code].type, gatewayError.message);
  }
}
