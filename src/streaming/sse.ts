/**
 * Server-Sent Events, as upstream LLM APIs send them. The parser is incremental: it yields each event as soon as its
 * terminating blank line arrives, whatever the network split (frames cut mid-line, mid-UTF-8 sequence, CRLF, CR).
 */

export interface SseEvent {
  /** `event:` field; `undefined` when the upstream sent none (the spec's default "message"). */
  event?: string;
  data: string;
  /** `id:` given within this event (unlike browsers, not carried over to later events: we never reconnect). */
  id?: string;
}

const LF = 10;
const CR = 13;

export async function* parseSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let event: string | undefined;
  let id: string | undefined;
  let data: string[] = [];
  // A CR at the end of one read may be the first half of a CRLF split across reads.
  let pendingCr = false;

  const dispatch = (): SseEvent | undefined => {
    if (data.length === 0) {
      event = undefined;
      return undefined;
    }
    const out: SseEvent = { data: data.join("\n") };
    if (event !== undefined) out.event = event;
    if (id !== undefined) out.id = id;
    event = undefined;
    id = undefined;
    data = [];
    return out;
  };

  const takeLine = (line: string): SseEvent | undefined => {
    if (line === "") return dispatch();
    if (line.charCodeAt(0) === 58 /* ':' comment */) return undefined;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === "data") data.push(value);
    else if (field === "event") event = value;
    else if (field === "id") id = value;
    return undefined;
  };

  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let start = 0;
      for (let i = 0; i < buffer.length; i++) {
        const c = buffer.charCodeAt(i);
        if (c === LF) {
          if (pendingCr && i === start) {
            pendingCr = false;
            start = i + 1;
            continue;
          }
          pendingCr = false;
          const ev = takeLine(buffer.slice(start, i));
          start = i + 1;
          if (ev) yield ev;
        } else if (c === CR) {
          const ev = takeLine(buffer.slice(start, i));
          start = i + 1;
          if (buffer.charCodeAt(i + 1) === LF) {
            i++;
            start = i + 1;
          } else if (i + 1 === buffer.length) {
            pendingCr = true;
          }
          if (ev) yield ev;
        } else {
          pendingCr = false;
        }
      }
      buffer = buffer.slice(start);
    }
    buffer += decoder.decode();
    if (buffer.length > 0) takeLine(buffer);
    // Lenient at EOF: some upstreams end the last event without a blank line; losing it would lose usage.
    const last = dispatch();
    if (last) yield last;
  } finally {
    reader.releaseLock();
  }
}

export function encodeSse(data: string, event?: string): string {
  const lines = data.includes("\n") ? data.split("\n") : [data];
  let out = event === undefined ? "" : `event: ${event}\n`;
  for (const line of lines) out += `data: ${line}\n`;
  return `${out}\n`;
}

export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  connection: "keep-alive",
} as const;
