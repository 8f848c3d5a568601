import { describe, expect, it } from "vitest";
import { encodeSse, parseSse, type SseEvent } from "../../../src/streaming/sse";

function streamOf(pieces: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const p of pieces) controller.enqueue(typeof p === "string" ? enc.encode(p) : p);
      controller.close();
    },
  });
}

async function collect(body: ReadableStream<Uint8Array>): Promise<SseEvent[]> {
  const out: SseEvent[] = [];
  for await (const ev of parseSse(body)) out.push(ev);
  return out;
}

describe("parseSse", () => {
  const transcript = 'event: a\ndata: {"x":1}\n\n: keep-alive\n\ndata: line1\ndata: line2\nid: 7\n\ndata: [DONE]\n\n';
  const expected: SseEvent[] = [{ event: "a", data: '{"x":1}' }, { data: "line1\nline2", id: "7" }, { data: "[DONE]" }];

  it("parses whole frames", async () => {
    expect(await collect(streamOf([transcript]))).toEqual(expected);
  });

  it.each([1, 2, 3, 5, 7])("parses frames split every %i bytes", async (size) => {
    const bytes = new TextEncoder().encode(transcript);
    const pieces: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += size) pieces.push(bytes.slice(i, i + size));
    expect(await collect(streamOf(pieces))).toEqual(expected);
  });

  it("handles CRLF and lone CR line endings, including a CRLF split across reads", async () => {
    const crlf = transcript.replaceAll("\n", "\r\n");
    const cut = crlf.indexOf("\r\n") + 1;
    expect(await collect(streamOf([crlf.slice(0, cut), crlf.slice(cut)]))).toEqual(expected);
    expect(await collect(streamOf([transcript.replaceAll("\n", "\r")]))).toEqual(expected);
  });

  it("reassembles a multi-byte character split across reads", async () => {
    const bytes = new TextEncoder().encode("data: héllo ✓\n\n");
    const mid = 8; // inside "é"
    expect(await collect(streamOf([bytes.slice(0, mid), bytes.slice(mid)]))).toEqual([{ data: "héllo ✓" }]);
  });

  it("keeps a final event that lacks its blank line", async () => {
    expect(await collect(streamOf(['data: {"usage":1}']))).toEqual([{ data: '{"usage":1}' }]);
  });

  it("yields each event before the stream ends", async () => {
    let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
      },
    });
    const it = parseSse(body)[Symbol.asyncIterator]();
    controller?.enqueue(new TextEncoder().encode("data: first\n\n"));
    expect((await it.next()).value).toEqual({ data: "first" });
    controller?.close();
    expect((await it.next()).done).toBe(true);
  });
});

describe("encodeSse", () => {
  it("round-trips through the parser", async () => {
    const text = encodeSse("a\nb", "delta") + encodeSse("[DONE]");
    expect(await collect(streamOf([text]))).toEqual([{ event: "delta", data: "a\nb" }, { data: "[DONE]" }]);
  });
});
