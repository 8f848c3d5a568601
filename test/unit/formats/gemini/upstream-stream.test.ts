import { describe, expect, it } from "vitest";
import type { ChatChunk } from "../../../../src/canonical/chat";
import { UpstreamProtocolError } from "../../../../src/errors/upstream-protocol-error";
import { decodeGeminiStream } from "../../../../src/formats/gemini/upstream-stream";
import {
  geminiBlockedStream,
  geminiErrorStream,
  geminiLegacyStream,
  geminiSafetyStream,
  geminiTextStream,
  geminiToolStream,
  geminiTruncatedStream,
} from "../../../fixtures/transcripts/gemini";

function streamOf(text: string, pieceSize?: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  const size = pieceSize ?? bytes.length;
  return new ReadableStream({
    start(controller) {
      for (let i = 0; i < bytes.length; i += size) controller.enqueue(bytes.slice(i, i + size));
      controller.close();
    },
  });
}

async function collect(text: string, pieceSize?: number): Promise<ChatChunk[]> {
  const out: ChatChunk[] = [];
  for await (const ev of decodeGeminiStream(streamOf(text, pieceSize), "gemini-test")) out.push(ev.chunk);
  return out;
}

const textExpected = [
  [{ index: 0, delta: { role: "assistant", content: "Mittens" }, finish_reason: null }],
  [{ index: 0, delta: { content: " the cat naps — ☀️ " }, finish_reason: null }],
  [{ index: 0, delta: { content: "in the sun." }, finish_reason: null }],
  [{ index: 0, delta: {}, finish_reason: "stop" }],
  [],
];

describe("decodeGeminiStream", () => {
  it("decodes a text stream: role first, text deltas, one finish, then usage", async () => {
    const chunks = await collect(geminiTextStream);
    expect(chunks.map((c) => c.choices)).toEqual(textExpected);
    for (const c of chunks) {
      expect(c).toMatchObject({ id: "chatcmpl-resp-stream-1", object: "chat.completion.chunk", model: "gemini-test" });
    }
    expect(chunks.slice(0, -1).every((c) => c.usage === undefined)).toBe(true);
    expect(chunks.at(-1)?.usage).toEqual({
      prompt_tokens: 9,
      completion_tokens: 15,
      total_tokens: 24,
      completion_tokens_details: { reasoning_tokens: 4 },
    });
  });

  it.each([1, 2, 3, 7, 64])("gives the same chunks when the bytes arrive %i at a time", async (size) => {
    const chunks = await collect(geminiTextStream, size);
    expect(chunks.map((c) => c.choices)).toEqual(textExpected);
    expect(chunks.at(-1)?.usage?.total_tokens).toBe(24);
  });

  it("emits a finish reason once for models that repeat it on every event", async () => {
    const chunks = await collect(geminiLegacyStream);
    expect(chunks.map((c) => c.choices)).toEqual([
      [{ index: 0, delta: { role: "assistant", content: "In the quaint, sunlit cottage" }, finish_reason: null }],
      [{ index: 0, delta: { content: " lived two cats." }, finish_reason: null }],
      [{ index: 0, delta: {}, finish_reason: "stop" }],
    ]);
    expect(chunks.every((c) => c.usage === undefined)).toBe(true);
  });

  it("turns function calls into whole tool call deltas with index, id and signature", async () => {
    const chunks = await collect(geminiToolStream);
    expect(chunks.map((c) => c.choices)).toEqual([
      [
        {
          index: 0,
          delta: {
            role: "assistant",
            tool_calls: [
              {
                index: 0,
                id: "call_0",
                type: "function",
                function: { name: "get_weather", arguments: '{"location":"Paris"}' },
                extra_content: { google: { thought_signature: "c2lnLXN0cmVhbQ==" } },
              },
              { index: 1, id: "call_1", type: "function", function: { name: "get_time", arguments: "{}" } },
            ],
          },
          finish_reason: null,
        },
      ],
      [{ index: 0, delta: {}, finish_reason: "tool_calls" }],
      [],
    ]);
    expect(chunks.at(-1)?.usage).toEqual({ prompt_tokens: 40, completion_tokens: 10, total_tokens: 50 });
  });

  it("ends a stream stopped by the safety filter with content_filter", async () => {
    const chunks = await collect(geminiSafetyStream);
    expect(chunks.map((c) => c.choices)).toEqual([
      [{ index: 0, delta: { role: "assistant", content: "Here is how" }, finish_reason: null }],
      [{ index: 0, delta: {}, finish_reason: "content_filter" }],
      [],
    ]);
  });

  it("answers a blocked prompt with one empty content_filter choice", async () => {
    const chunks = await collect(geminiBlockedStream);
    expect(chunks.map((c) => c.choices)).toEqual([
      [{ index: 0, delta: { role: "assistant", content: null }, finish_reason: "content_filter" }],
      [],
    ]);
    expect(chunks.at(-1)?.usage).toEqual({ prompt_tokens: 8, completion_tokens: 0, total_tokens: 8 });
  });

  it("interleaves several candidates by index", async () => {
    const ev = (text: string, finishReason?: string) =>
      `data: ${JSON.stringify({
        candidates: [
          { content: { parts: [{ text }], role: "model" }, index: 0, finishReason },
          { content: { parts: [{ text }], role: "model" }, index: 1, finishReason },
        ],
      })}\n\n`;
    // A MAX_TOKENS seen early is superseded by the final STOP: the last reason wins.
    const chunks = await collect(ev("a", "MAX_TOKENS") + ev("b", "STOP"));
    expect(chunks.map((c) => c.choices)).toEqual([
      [
        { index: 0, delta: { role: "assistant", content: "a" }, finish_reason: null },
        { index: 1, delta: { role: "assistant", content: "a" }, finish_reason: null },
      ],
      [
        { index: 0, delta: { content: "b" }, finish_reason: null },
        { index: 1, delta: { content: "b" }, finish_reason: null },
      ],
      [
        { index: 0, delta: {}, finish_reason: "stop" },
        { index: 1, delta: {}, finish_reason: "stop" },
      ],
    ]);
  });

  it("yields each slice before the upstream finishes", async () => {
    let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
      },
    });
    const iter = decodeGeminiStream(body, "m")[Symbol.asyncIterator]();
    controller?.enqueue(new TextEncoder().encode(geminiTextStream.split("\r\n\r\n")[0] ?? ""));
    controller?.enqueue(new TextEncoder().encode("\r\n\r\n"));
    const first = await iter.next();
    expect(first.value?.chunk.choices[0]?.delta.content).toBe("Mittens");
    controller?.close();
    await iter.return(undefined);
  });

  it.each([
    ["an error event", geminiErrorStream, /UNAVAILABLE/],
    ["a stream cut before its finish reason", geminiTruncatedStream, /finish reason/],
    ["an event that is not JSON", "data: {not json\n\n", /not JSON/],
    ["an event of the wrong shape", 'data: {"candidates":{}}\n\n', /unexpected shape/],
  ])("throws UpstreamProtocolError on %s", async (_name, text, message) => {
    const drain = async () => {
      for await (const _ of decodeGeminiStream(streamOf(text), "m")) {
        // only the outcome matters
      }
    };
    await expect(drain()).rejects.toThrow(UpstreamProtocolError);
    await expect(drain()).rejects.toThrow(message);
  });

  it("yields nothing for an empty body", async () => {
    expect(await collect("")).toEqual([]);
  });
});
