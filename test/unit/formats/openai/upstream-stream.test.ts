import { describe, expect, it } from "vitest";
import type { ChunkEvent } from "../../../../src/canonical/chat";
import { UpstreamProtocolError } from "../../../../src/errors/upstream-protocol-error";
import { parseOpenAIStream } from "../../../../src/formats/openai/upstream-stream";
import {
  openaiMidStreamError,
  openaiTextStream,
  openaiTextStreamEvents,
  openaiToolStream,
  openaiToolStreamEvents,
} from "../../../fixtures/transcripts/openai-chat";
import { bytesStream, collect } from "./stream-helpers";

const parse = (text: string, size?: number) => collect(parseOpenAIStream(bytesStream(text, size), "fallback"));

function text(events: ChunkEvent[]): string {
  return events.map((e) => e.chunk.choices[0]?.delta.content ?? "").join("");
}

describe("parseOpenAIStream on an OpenAI text stream", () => {
  it("yields one event per chunk with the exact data as raw, and skips [DONE]", async () => {
    const events = await parse(openaiTextStream);
    expect(events.map((e) => e.raw)).toEqual(openaiTextStreamEvents);
    expect(events[0]?.chunk.choices[0]?.delta).toEqual({ role: "assistant", content: "", refusal: null });
    expect(text(events)).toBe("Bonjour ! Un café ☕ ?");
    expect(events[4]?.chunk.choices[0]?.finish_reason).toBe("stop");
    const last = events[5]?.chunk;
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({ prompt_tokens: 19, completion_tokens: 10, total_tokens: 29 });
  });

  it.each([1, 2, 3, 7, 13, 64])("gives the same events when the bytes arrive %i at a time", async (size) => {
    expect(await parse(openaiTextStream, size)).toEqual(await parse(openaiTextStream));
  });

  it("yields each chunk before the stream ends", async () => {
    const enc = new TextEncoder();
    let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
      },
    });
    const it = parseOpenAIStream(body, "m")[Symbol.asyncIterator]();
    controller?.enqueue(enc.encode(`data: ${openaiTextStreamEvents[1]}\n\n`));
    const first = await it.next();
    expect(first.done).toBe(false);
    expect(first.value?.chunk.choices[0]?.delta.content).toBe("Bonjour");
    controller?.enqueue(enc.encode("data: [DONE]\n\n"));
    controller?.close();
    expect((await it.next()).done).toBe(true);
  });
});

describe("parseOpenAIStream on a tool-call stream", () => {
  it.each([undefined, 5])("keeps tool-call deltas in order (split %s)", async (size) => {
    const events = await parse(openaiToolStream, size);
    expect(events.map((e) => e.raw)).toEqual(openaiToolStreamEvents);
    const deltas = events.flatMap((e) => e.chunk.choices.flatMap((c) => c.delta.tool_calls ?? []));
    expect(deltas[0]).toEqual({
      index: 0,
      id: "call_DdmO9pD3xa9XTPNJ32zg2hcA",
      type: "function",
      function: { name: "get_current_weather", arguments: "" },
    });
    expect(deltas.map((d) => d.function?.arguments ?? "").join("")).toBe('{"location":"Boston, MA"}');
    expect(events.at(-2)?.chunk.choices[0]?.finish_reason).toBe("tool_calls");
    expect(events.at(-1)?.chunk.usage?.total_tokens).toBe(99);
  });
});

describe("parseOpenAIStream failures", () => {
  async function failure(text: string): Promise<{ err: unknown; before: ChunkEvent[] }> {
    const before: ChunkEvent[] = [];
    try {
      for await (const ev of parseOpenAIStream(bytesStream(text, 4), "m")) before.push(ev);
    } catch (err) {
      return { err, before };
    }
    throw new Error("expected the stream to fail");
  }

  it("throws on an error object mid-stream, after the chunks before it", async () => {
    const { err, before } = await failure(openaiMidStreamError);
    expect(before).toHaveLength(1);
    expect(err).toBeInstanceOf(UpstreamProtocolError);
    expect((err as Error).message).toContain("server_error");
    expect((err as Error).message).not.toContain("Sorry about that");
  });

  it("throws on an `event: error` frame", async () => {
    const { err } = await failure('event: error\ndata: {"error":{"type":"overloaded_error","message":"busy"}}\n\n');
    expect(err).toBeInstanceOf(UpstreamProtocolError);
    expect((err as Error).message).toContain("overloaded_error");
  });

  it("throws on a chunk that is not JSON, without repeating it", async () => {
    const { err } = await failure(`data: ${openaiTextStreamEvents[1]}\n\ndata: {"choices": [ secret-text\n\n`);
    expect(err).toBeInstanceOf(UpstreamProtocolError);
    expect((err as Error).message).not.toContain("secret-text");
  });

  it("throws when the body holds no event at all, e.g. a JSON answer", async () => {
    const { err, before } = await failure('{"id":"x","object":"chat.completion","choices":[]}');
    expect(before).toEqual([]);
    expect(err).toBeInstanceOf(UpstreamProtocolError);
  });

  it("throws on a chunk of the wrong shape", async () => {
    const { err, before } = await failure(
      `data: ${openaiTextStreamEvents[1]}\n\ndata: {"choices":[{"index":0,"delta":{"content":5}}]}\n\n`,
    );
    expect(before).toHaveLength(1);
    expect(err).toBeInstanceOf(UpstreamProtocolError);
    expect((err as Error).message).toContain("choices.0.delta.content");
  });
});

describe("parseOpenAIStream leniency for origin servers", () => {
  it("ignores comments and blank keep-alive data, and accepts a last event without a blank line", async () => {
    const events = await parse(`: ping\n\ndata:\n\ndata: ${openaiTextStreamEvents[1]}\n\ndata: [DONE]`);
    expect(events).toHaveLength(1);
  });

  it("offers no raw payload when the envelope had to be normalised", async () => {
    const events = await parse(
      'data: {"object":"text_completion","choices":[{"index":0,"delta":{"content":"hi"}}]}\n\ndata: [DONE]\n\n',
    );
    expect(events).toHaveLength(1);
    expect(events[0]?.raw).toBeUndefined();
    expect(events[0]?.chunk).toMatchObject({ object: "chat.completion.chunk", model: "fallback", id: "" });
  });
});

describe("parseOpenAIStream: an answer that stops early", () => {
  const chunk = (delta: object, finish: string | null = null) =>
    `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

  it("fails a stream that ends cleanly with neither a finish reason nor [DONE] (a cut answer)", async () => {
    await expect(parse(chunk({ content: "half an ans" }))).rejects.toThrow(/ended before the answer was complete/);
  });

  it("accepts a finish reason without [DONE] (some OpenAI-compatible servers omit it)", async () => {
    const events = await parse(chunk({ content: "whole" }) + chunk({}, "stop"));
    expect(events).toHaveLength(2);
  });
});
