/**
 * Server-Sent Events, as upstream LLM APIs send them. The parser is incremental: it yields each event as soon as its
 * terminating blank line arrives, whatever the network split (frames cut mid-line, mid-UTF-8 sequence, CRLF, CR).
 * Lines are found with `indexOf` (native search) rather than a per-character loop: this runs for every chunk of
 * every stream, on the Worker's CPU budget.
 */

export interface SseEvent {
  /** `event:` field; `undefined` when the upstream sent none (the spec's default "message"). */
  event?: string;
  data: string;
  /** `id:` given within this event (unlike browsers, not carried over to later events: we never reconnect). */
  id?: string;
}

class EventBuilder {
  event: string | undefined;
  id: string | undefined;
  data: string[] = [];

  line(line: string): SseEvent | undefined {
    if (line === "") return this.dispatch();
    if (line.charCodeAt(0) === 58 /* ':' comment */) return undefined;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value;
    else if (field === "id") this.id = value;
    return undefined;
  }

  dispatch(): SseEvent | undefined {
    const { data, event, id } = this;
    this.event = undefined;
    this.id = undefined;
    if (data.length === 0) return undefined;
    this.data = [];
    const out: SseEvent = { data: data.length === 1 ? (data[0] as string) : data.join("\n") };
    if (event !== undefined) out.event = event;
    if (id !== undefined) out.id = id;
    return out;
  }
}

/** CR and CRLF become LF. A CR at the very end stays pending: its LF may arrive in the next read. */
function normaliseNewlines(text: string, atEnd: boolean): { text: string; pendingCr: boolean } {
  if (!text.includes("\r")) return { text, pendingCr: false };
  const pendingCr = !atEnd && text.endsWith("\r");
  const body = pendingCr ? text.slice(0, -1) : text;
  return { text: body.replace(/\r\n?/g, "\n"), pendingCr };
}

/**
 * The parser without the reading: bytes in, finished events out, synchronously. A stream parser that reads the body
 * itself (parseOpenAIStream) uses it directly and saves a layer of async iteration per event.
 */
export class SseDecoder {
  private readonly decoder = new TextDecoder();
  private readonly builder = new EventBuilder();
  private buffer = "";
  private carryCr = false;

  /** The events completed by `bytes`; `undefined` marks the end of the body (a last unterminated event counts). */
  push(bytes: Uint8Array | undefined): SseEvent[] {
    const done = bytes === undefined;
    let text = done ? this.decoder.decode() : this.decoder.decode(bytes, { stream: true });
    if (this.carryCr) text = `\r${text}`;
    const normalised = normaliseNewlines(text, done);
    this.carryCr = normalised.pendingCr;
    const buffer = this.buffer + normalised.text;

    const events: SseEvent[] = [];
    let start = 0;
    let newline = buffer.indexOf("\n", start);
    while (newline !== -1) {
      const ev = this.builder.line(buffer.slice(start, newline));
      start = newline + 1;
      if (ev) events.push(ev);
      newline = buffer.indexOf("\n", start);
    }
    this.buffer = start === 0 ? buffer : buffer.slice(start);
    if (done) {
      if (this.buffer.length > 0) this.builder.line(this.buffer);
      this.buffer = "";
      // Lenient at EOF: some upstreams end the last event without a blank line; losing it would lose usage.
      const last = this.builder.dispatch();
      if (last) events.push(last);
    }
    return events;
  }
}

export async function* parseSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const decoder = new SseDecoder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      yield* decoder.push(done ? undefined : value);
      if (done) break;
    }
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
