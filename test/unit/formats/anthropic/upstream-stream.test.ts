import { describe, expect, it } from "vitest";
import type { ChunkEvent } from "../../../../src/canonical/chat";
import { UpstreamProtocolError } from "../../../../src/errors/upstream-protocol-error";
import { decodeAnthropicStream } from "../../../../src/formats/anthropic/upstream-stream";
import {
  overloadedStream,
  parallelToolStream,
  stopSequenceStream,
  textStream,
  thinkingStream,
  toolStream,
  truncatedStream,
} from "../../../fixtures/transcripts/anthropic-streams";
import { bodyOf, collect, essentials } from "./helpers";

const decode = (text: string, size = 0) => collect(decodeAnthropicStream(bodyOf(text, size), "fallback-model"));
const delta = (d: Record<string, unknown>) => ({ choices: [{ index: 0, delta: d, finish_reason: null }] });

const textExpected = [
  delta({ role: "assistant", content: "" }),
  delta({ content: "Hello" }),
  delta({ content: ", café ☕!" }),
  {
    choices: [{ index: 0, delta: {}, finish_reason: "stop" }],
    usage: { prompt_tokens: 25, completion_tokens: 15, total_tokens: 40 },
  },
];

describe("decodeAnthropicStream", () => {
  it("decodes the documented text stream", async () => {
    const events = await decode(textStream);
    expect(essentials(events)).toEqual(textExpected);
    for (const { chunk, raw } of events) {
      expect(chunk).toMatchObject({
        id: "msg_01TextStreamExample",
        object: "chat.completion.chunk",
        model: "claude-sonnet-4-5",
      });
      expect(raw).toBeUndefined();
    }
  });

  it.each([1, 2, 3, 7, 13, 64])("gives the same chunks when the body is split every %i bytes", async (size) => {
    expect(essentials(await decode(textStream, size))).toEqual(textExpected);
    expect(essentials(await decode(toolStream, size))).toEqual(essentials(await decode(toolStream)));
  });

  it("decodes a tool_use stream into indexed tool_call deltas", async () => {
    expect(essentials(await decode(toolStream))).toEqual([
      delta({ role: "assistant", content: "" }),
      delta({ content: "Okay, let's check" }),
      delta({ content: " the weather:" }),
      delta({
        tool_calls: [
          { index: 0, id: "toolu_01WeatherCall", type: "function", function: { name: "get_weather", arguments: "" } },
        ],
      }),
      delta({ tool_calls: [{ index: 0, function: { arguments: '{"location":' } }] }),
      delta({ tool_calls: [{ index: 0, function: { arguments: ' "San Francisc' } }] }),
      delta({ tool_calls: [{ index: 0, function: { arguments: 'o, CA", "unit": "fah' } }] }),
      delta({ tool_calls: [{ index: 0, function: { arguments: 'renheit"}' } }] }),
      {
        choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }],
        usage: { prompt_tokens: 472, completion_tokens: 89, total_tokens: 561 },
      },
    ]);
  });

  it("numbers parallel tool calls among themselves and counts cache tokens as prompt", async () => {
    const out = essentials(await decode(parallelToolStream));
    expect(out.slice(1, 5)).toEqual([
      delta({ tool_calls: [{ index: 0, id: "toolu_A", type: "function", function: { name: "a", arguments: "" } }] }),
      delta({ tool_calls: [{ index: 0, function: { arguments: '{"x":1}' } }] }),
      delta({ tool_calls: [{ index: 1, id: "toolu_B", type: "function", function: { name: "b", arguments: "" } }] }),
      delta({ tool_calls: [{ index: 1, function: { arguments: '{"y":2}' } }] }),
    ]);
    expect(out.at(-1)).toMatchObject({ usage: { prompt_tokens: 115, completion_tokens: 30, total_tokens: 145 } });
  });

  it("reports the matched stop sequence on the finish chunk", async () => {
    const last = (await decode(stopSequenceStream)).at(-1)?.chunk.choices[0];
    expect(last).toMatchObject({ finish_reason: "stop", stop_reason: "three" });
  });

  it("carries thinking blocks as delta.thinking fragments, skips ping and unknown event types", async () => {
    expect(essentials(await decode(thinkingStream))).toEqual([
      delta({ role: "assistant", content: "" }),
      delta({ thinking: { index: 0, type: "thinking", thinking: "", signature: "" } }),
      delta({ thinking: { index: 0, thinking: "Hmm" } }),
      delta({ thinking: { index: 0, signature: "sig" } }),
      delta({ content: "42" }),
      {
        choices: [{ index: 0, delta: {}, finish_reason: "stop" }],
        usage: { prompt_tokens: 12, completion_tokens: 20, total_tokens: 32 },
      },
    ]);
  });

  it("takes cumulative input counts from message_delta when the upstream sends them", async () => {
    const text = textStream.replace(
      '"usage":{"output_tokens":15}',
      '"usage":{"input_tokens":30,"cache_read_input_tokens":5,"output_tokens":15}',
    );
    expect((await decode(text)).at(-1)?.chunk.usage).toEqual({
      prompt_tokens: 35,
      completion_tokens: 15,
      total_tokens: 50,
      prompt_tokens_details: { cached_tokens: 5 },
    });
  });

  it("yields each chunk before the rest of the stream has arrived", async () => {
    let push: ((s: string) => void) | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        push = (s) => controller.enqueue(new TextEncoder().encode(s));
      },
    });
    const it = decodeAnthropicStream(body, "m")[Symbol.asyncIterator]();
    const frames = textStream.split("\n\n").map((f) => `${f}\n\n`);
    push?.(frames[0] ?? "");
    expect((await it.next()).value?.chunk.choices[0]?.delta).toEqual({ role: "assistant", content: "" });
    push?.(`${frames[1]}${frames[2]}${frames[3]}`);
    expect((await it.next()).value?.chunk.choices[0]?.delta).toEqual({ content: "Hello" });
  });

  const failures: [string, string, RegExp][] = [
    ["an error event", overloadedStream, /overloaded_error: Overloaded/],
    ["a stream cut before message_stop", truncatedStream, /ended before message_stop/],
    ["data that is not JSON", "event: message_start\ndata: {nope\n\n", /not JSON/],
    [
      "a malformed message_start",
      'event: message_start\ndata: {"type":"message_start","message":{}}\n\n',
      /malformed message_start/,
    ],
    [
      "content before message_start",
      textStream.slice(textStream.indexOf("event: content_block_start")),
      /before message_start/,
    ],
    [
      "input_json_delta for a block that is not a tool",
      textStream.replace('"type":"text_delta","text":"Hello"', '"type":"input_json_delta","partial_json":"{"'),
      /outside a tool_use block/,
    ],
  ];

  it.each(failures)(
    "throws UpstreamProtocolError on %s, after yielding what came before",
    async (_name, text, message) => {
      const seen: ChunkEvent[] = [];
      const run = async () => {
        for await (const ev of decodeAnthropicStream(bodyOf(text, 5), "m")) seen.push(ev);
      };
      await expect(run()).rejects.toThrow(UpstreamProtocolError);
      await expect(run()).rejects.toThrow(message);
      if (text === overloadedStream)
        expect(essentials(seen).slice(0, 2)).toEqual([
          delta({ role: "assistant", content: "" }),
          delta({ content: "Partial" }),
        ]);
    },
  );
});
