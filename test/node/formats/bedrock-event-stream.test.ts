import { describe, expect, it } from "vitest";
import { decodeEventStream, type EventStreamMessage } from "../../../src/formats/bedrock/event-stream";
import { decodeConverseStream } from "../../../src/formats/bedrock/upstream-stream";
import { eventFrame, exceptionFrame } from "../../servers/event-stream-encode";

/**
 * The gateway's incremental event-stream decoder against frames encoded by the fake's independent encoder (node's
 * zlib CRC32). Runs in Node because the encoder uses node:zlib; the decoder uses only web APIs.
 */

function streamOf(pieces: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const p of pieces) controller.enqueue(p);
      controller.close();
    },
  });
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const FRAMES = [
  eventFrame("messageStart", { role: "assistant" }),
  eventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "héllo 👋" } }),
  eventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: " world" } }),
  eventFrame("contentBlockStop", { contentBlockIndex: 0 }),
  eventFrame("messageStop", { stopReason: "end_turn" }),
  eventFrame("metadata", { usage: { inputTokens: 5, outputTokens: 3, totalTokens: 8 }, metrics: { latencyMs: 1 } }),
];
const WHOLE = Buffer.concat(FRAMES);

function summary(messages: EventStreamMessage[]) {
  return messages.map((m) => [m.headers[":event-type"], JSON.parse(new TextDecoder().decode(m.payload))]);
}

describe("AWS event-stream decoding", () => {
  it("decodes whole frames: headers and JSON payloads", async () => {
    const messages = await collect(decodeEventStream(streamOf([WHOLE])));
    expect(messages).toHaveLength(FRAMES.length);
    expect(messages[0]?.headers).toEqual({
      ":event-type": "messageStart",
      ":content-type": "application/json",
      ":message-type": "event",
    });
    expect(summary(messages)[1]?.[1]).toMatchObject({ delta: { text: "héllo 👋" } });
  });

  it("gives the same frames whatever byte the stream is split at (every split point, two pieces)", async () => {
    const expected = summary(await collect(decodeEventStream(streamOf([WHOLE]))));
    for (let cut = 1; cut < WHOLE.length; cut++) {
      const pieces = [WHOLE.subarray(0, cut), WHOLE.subarray(cut)];
      expect(summary(await collect(decodeEventStream(streamOf(pieces))))).toEqual(expected);
    }
  });

  it("decodes a stream delivered one byte at a time", async () => {
    const bytes = [...WHOLE].map((b) => Uint8Array.of(b));
    expect(await collect(decodeEventStream(streamOf(bytes)))).toHaveLength(FRAMES.length);
  });

  it("yields each frame as soon as its last byte arrives, not at the end of the stream", async () => {
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({
      start: (c) => {
        controller = c;
      },
    });
    const it = decodeEventStream(body)[Symbol.asyncIterator]();
    const first = FRAMES[0] ?? new Uint8Array();
    controller.enqueue(first.subarray(0, first.length - 1));
    const next = it.next();
    controller.enqueue(first.subarray(first.length - 1));
    expect((await next).value?.headers[":event-type"]).toBe("messageStart");
    controller.close();
    await it.return?.(undefined);
  });

  it.each([
    ["a flipped payload byte (message CRC)", (b: Buffer) => b.fill(b[20] === 0x41 ? 0x42 : 0x41, 20, 21)],
    ["a flipped length byte (prelude CRC)", (b: Buffer) => b.fill(b[3] === 0 ? 1 : 0, 3, 4)],
  ])("refuses %s", async (_, corrupt) => {
    const bad = corrupt(Buffer.from(FRAMES[1] ?? []));
    await expect(collect(decodeEventStream(streamOf([bad])))).rejects.toThrow(/CRC/);
  });

  it("refuses a stream that ends inside a frame", async () => {
    await expect(collect(decodeEventStream(streamOf([WHOLE.subarray(0, WHOLE.length - 3)])))).rejects.toThrow(
      /inside a frame/,
    );
  });
});

describe("ConverseStream → canonical chunks", () => {
  it("maps text deltas, the stop reason and usage", async () => {
    const events = await collect(decodeConverseStream(streamOf([WHOLE]), "m"));
    const chunks = events.map((e) => e.chunk);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("héllo 👋 world");
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");
    expect(chunks.at(-1)?.usage).toEqual({ prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 });
  });

  it("throws on an exception frame (throttling mid-stream), after what came before it", async () => {
    const frames = [FRAMES[0], FRAMES[1], exceptionFrame("throttlingException", "Too many tokens")] as Buffer[];
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const e of decodeConverseStream(streamOf([Buffer.concat(frames)]), "m")) {
          seen.push(e.chunk.choices[0]?.delta.content ?? "");
        }
      })(),
    ).rejects.toThrow(/throttlingException/);
    expect(seen).toEqual(["héllo 👋"]);
  });

  it("throws when the stream ends before messageStop", async () => {
    const cut = Buffer.concat(FRAMES.slice(0, 3));
    await expect(collect(decodeConverseStream(streamOf([cut]), "m"))).rejects.toThrow(/messageStop/);
  });
});
