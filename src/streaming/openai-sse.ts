import type { ChunkEvent } from "../canonical/chat";
import { errorEnvelope, GatewayError } from "../errors";
import { encodeSse } from "./sse";

export interface OpenAiSseOptions {
  /** The client asked for `stream_options.include_usage`; we always ask upstreams for usage to meter. */
  includeUsage: boolean;
  requestId: string;
}

/** Canonical events -> OpenAI `data:` frames. After the first byte an error can only be reported in-band. */
export async function* openAiSse(events: AsyncIterable<ChunkEvent>, opts: OpenAiSseOptions): AsyncGenerator<string> {
  try {
    for await (const { chunk, raw } of events) {
      if (chunk.choices.length === 0 && chunk.usage != null && !opts.includeUsage) continue;
      yield encodeSse(raw ?? JSON.stringify(chunk));
    }
  } catch (err) {
    const gatewayError =
      err instanceof GatewayError
        ? err
        : new GatewayError("upstream_error", "Upstream stream failed after it started.");
    // OpenAI SDKs raise an APIError when a data frame carries `error`.
    yield encodeSse(JSON.stringify(errorEnvelope(gatewayError, opts.requestId)));
    return;
  }
  yield encodeSse("[DONE]");
}
