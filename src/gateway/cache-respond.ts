import { replayEvents } from "../cache/replay";
import type { ChatResponse, ChunkEvent } from "../canonical/chat";
import { SSE_HEADERS } from "../streaming/sse";
import type { StreamStart } from "../streaming/stream-start";
import { admissionHeaders, costHeaders } from "./billing/headers";
import { settleOp } from "./billing/meter";
import { routeHeaders } from "./route-meta";
import type { CacheHit, ChatOutcome } from "./types";

type StreamOutcome = Extract<ChatOutcome, { kind: "stream" }>;

/** The ingress format's writers (the same object respond-chat.ts gets). */
export interface CachedEncoding {
  json(response: ChatResponse): string;
  frames(events: AsyncIterable<ChunkEvent>, outcome: StreamOutcome): AsyncIterable<string>;
}

async function replayStart(response: ChatResponse): Promise<StreamStart> {
  const rest = replayEvents(response);
  const first = await rest.next();
  // replayChunks always yields at least the role and finish chunks.
  if (first.done === true) throw new Error("empty cached answer");
  return { first: first.value, rest, cancel: async () => undefined };
}

/**
 * Writes a cache hit for a streaming client: the answer replayed as SSE chunks by the same encoder a live stream of
 * this ingress uses (OpenAI or Anthropic). The whole body is built before the response starts, so the hit is settled
 * at its price at once, with the body kept for an Idempotency-Key replay.
 */
export async function respondCached(hit: CacheHit, encoding: CachedEncoding): Promise<Response> {
  const stream: StreamOutcome = {
    kind: "stream",
    start: await replayStart(hit.response),
    meta: hit.meta,
    idleTimeoutMs: 0,
    admission: hit.admission,
    settlement: hit.settlement,
    model: hit.model,
  };
  const frames: string[] = [];
  for await (const frame of encoding.frames(eventsOf(stream.start), stream)) frames.push(frame);
  const body = frames.join("");
  const kept = { "content-type": SSE_HEADERS["content-type"] };
  void hit.settlement.submit(settleOp(hit.settlement, hit.bill, 200, { headers: kept, body }));
  const headers = { ...routeHeaders(hit.meta), ...admissionHeaders(hit.admission), ...hit.headers };
  return new Response(body, { headers: { ...SSE_HEADERS, ...headers, ...costHeaders(hit.admission, hit.bill.cost) } });
}

async function* eventsOf(start: StreamStart): AsyncGenerator<ChunkEvent> {
  yield start.first;
  for (;;) {
    const next = await start.rest.next();
    if (next.done === true) return;
    yield next.value;
  }
}
