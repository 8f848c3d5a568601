/** An OpenAI Chat Completions SSE stream, read incrementally into canonical chunk events. */
import type { ChunkEvent } from "../../canonical/chat";
import { UpstreamProtocolError } from "../../errors/upstream-protocol-error";
import { SseDecoder, type SseEvent } from "../../streaming/sse";
import { parseUpstreamChunk, upstreamErrorOf } from "./upstream-response";

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

/** One SSE event as a canonical chunk event; `undefined` for keep-alives and `[DONE]`. */
function chunkEvent(event: SseEvent, fallbackModel: string): ChunkEvent | undefined {
  const data = event.data.trim();
  // Blank data is a keep-alive some servers send; `[DONE]` ends OpenAI streams and carries no chunk.
  if (data === "" || data === DONE) return undefined;
  const json = parseJson(data);
  if (event.event === "error") throw upstreamErrorOf(json) ?? new UpstreamProtocolError("upstream sent an error event");
  const chunk = parseUpstreamChunk(json, fallbackModel);
  return envelopeIsVerbatim(json as Record<string, unknown>) ? { chunk, raw: event.data } : { chunk };
}

/**
 * Reads the body itself rather than iterating `parseSse`: one async generator per stream instead of two, which is
 * one promise hop fewer for every chunk of every stream.
 */
export async function* parseOpenAIStream(
  body: ReadableStream<Uint8Array>,
  fallbackModel: string,
): AsyncGenerator<ChunkEvent> {
  const reader = body.getReader();
  const sse = new SseDecoder();
  let events = 0;
  // Ended properly: `[DONE]`, or at least a finish reason (some OpenAI-compatible servers omit `[DONE]`).
  let complete = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      for (const event of sse.push(done ? undefined : value)) {
        events++;
        if (event.data === DONE) complete = true;
        const chunk = chunkEvent(event, fallbackModel);
        if (chunk === undefined) continue;
        if (!complete && chunk.chunk.choices.some((c) => c.finish_reason != null)) complete = true;
        yield chunk;
      }
      if (done) break;
    }
  } finally {
    reader.releaseLock();
  }
  // A body with no SSE event at all (e.g. a JSON answer to a streaming request) must fail, not look like silence.
  if (events === 0) throw new UpstreamProtocolError("upstream stream ended without any event");
  // A connection closed cleanly mid-answer is a cut answer: the client must not be told it is complete.
  if (!complete) throw new UpstreamProtocolError("upstream stream ended before the answer was complete");
}
