/** An OpenAI Chat Completions SSE stream, read incrementally into canonical chunk events. */
import type { ChunkEvent } from "../../canonical/chat";
import { UpstreamProtocolError } from "../../providers/types";
import { parseSse } from "../../streaming/sse";
import { parseUpstreamChunk, upstreamErrorOf } from "./upstream";

const DONE = "[DONE]";

/**
 * The raw payload may go to OpenAI-format clients byte for byte, so it is only offered when the upstream's envelope
 * already is what an OpenAI SDK expects; otherwise the caller re-serialises the normalised chunk.
 */
function envelopeIsVerbatim(json: Record<string, unknown>): boolean {
  return (
    json.object === "chat.completion.chunk" &&
    typeof json.id === "string" &&
    typeof json.created === "number" &&
    typeof json.model === "string"
  );
}

function parseJson(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    throw new UpstreamProtocolError("upstream stream event is not valid JSON");
  }
}

export async function* parseOpenAIStream(
  body: ReadableStream<Uint8Array>,
  fallbackModel: string,
): AsyncGenerator<ChunkEvent> {
  let events = 0;
  for await (const event of parseSse(body)) {
    events++;
    const data = event.data.trim();
    // Blank data is a keep-alive some servers send; `[DONE]` ends OpenAI streams and carries no chunk.
    if (data === "" || data === DONE) continue;
    const json = parseJson(data);
    if (event.event === "error")
      throw upstreamErrorOf(json) ?? new UpstreamProtocolError("upstream sent an error event");
    const chunk = parseUpstreamChunk(json, fallbackModel);
    const verbatim = envelopeIsVerbatim(json as Record<string, unknown>);
    yield verbatim ? { chunk, raw: event.data } : { chunk };
  }
  // A body with no SSE event at all (e.g. a JSON answer to a streaming request) must fail, not look like silence.
  if (events === 0) throw new UpstreamProtocolError("upstream stream ended without any event");
}
