import Anthropic from "@anthropic-ai/sdk";
import { describe, expect, it } from "vitest";
import type { ChatChunk, ChunkEvent } from "../../../../src/canonical/chat";
import { anthropicStreamError, encodeAnthropicStream } from "../../../../src/formats/anthropic/client-stream";
import { decodeAnthropicStream } from "../../../../src/formats/anthropic/upstream-stream";
import { toolStream } from "../../../fixtures/transcripts/anthropic-streams";
import { bodyOf, collect, essentials, iterate, sseEvents } from "./helpers";

const meta = { model: "my-alias", messageId: "msg_gw_1", inputTokens: 20 };

function ev(choice: Partial<ChatChunk["choices"][number]> | null, usage?: ChatChunk["usage"]): ChunkEvent {
  const choices = choice === null ? [] : [{ index: 0, delta: {}, finish_reason: null, ...choice }];
  return {
    chunk: { id: "c", object: "chat.completion.chunk", created: 1, model: "up", choices, ...(usage ? { usage } : {}) },
  };
}

/** An OpenAI-style stream: role chunk, text, two tool calls, finish, then the usage-only chunk. */
const openaiStyle: ChunkEvent[] = [
  ev({ delta: { role: "assistant", content: "" } }),
  ev({ delta: { content: "Let me " } }),
  ev({ delta: { content: "check." } }),
  ev({
    delta: { tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "get", arguments: "" } }] },
  }),
  ev({ delta: { tool_calls: [{ index: 0, function: { arguments: '{"id":' } }] } }),
  ev({ delta: { tool_calls: [{ index: 0, function: { arguments: "7}" } }] } }),
  ev({
    delta: { tool_calls: [{ index: 1, id: "call_2", type: "function", function: { name: "put", arguments: "{}" } }] },
  }),
  ev({ finish_reason: "tool_calls" }),
  ev(null, { prompt_tokens: 25, completion_tokens: 12, total_tokens: 37 }),
];

describe("encodeAnthropicStream", () => {
  it("produces the documented event sequence", async () => {
    const text = (await collect(encodeAnthropicStream(iterate(openaiStyle), meta))).join("");
    const events = sseEvents(text);
    for (const e of events) expect(e.data.type).toBe(e.event);
    expect(events.map((e) => e.data)).toEqual([
      {
        type: "message_start",
        message: {
          id: "msg_gw_1",
          type: "message",
          role: "assistant",
          model: "my-alias",
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 20, output_tokens: 0 },
        },
      },
      { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
      { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Let me " } },
      { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "check." } },
      { type: "content_block_stop", index: 0 },
      {
        type: "content_block_start",
        index: 1,
        content_block: { type: "tool_use", id: "call_1", name: "get", input: {} },
      },
      { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '{"id":' } },
      { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: "7}" } },
      { type: "content_block_stop", index: 1 },
      {
        type: "content_block_start",
        index: 2,
        content_block: { type: "tool_use", id: "call_2", name: "put", input: {} },
      },
      { type: "content_block_delta", index: 2, delta: { type: "input_json_delta", partial_json: "{}" } },
      { type: "content_block_stop", index: 2 },
      {
        type: "message_delta",
        delta: { stop_reason: "tool_use", stop_sequence: null },
        usage: { output_tokens: 12, input_tokens: 25 },
      },
      { type: "message_stop" },
    ]);
  });

  it("emits each event as soon as its chunk arrives", async () => {
    let pulled = 0;
    async function* source(): AsyncGenerator<ChunkEvent> {
      for (const e of openaiStyle) {
        pulled++;
        yield e;
      }
    }
    const it = encodeAnthropicStream(source(), meta)[Symbol.asyncIterator]();
    expect(sseEvents((await it.next()).value ?? "")[0]?.event).toBe("message_start");
    expect(pulled).toBe(0); // message_start does not wait for the upstream
    await it.next(); // role chunk emits nothing, so this pulls the first text chunk
    expect(pulled).toBe(2);
    await it.next();
    expect(pulled).toBe(2); // the text delta of that same chunk, without reading further
  });

  it("sends message_delta with the finish chunk when it already carries usage, and maps stop reasons", async () => {
    const cases = [
      ["stop", "end_turn"],
      ["length", "max_tokens"],
      ["content_filter", "refusal"],
    ] as const;
    for (const [finish, stop] of cases) {
      const input = [
        ev({ delta: { content: "x" } }),
        ev({ finish_reason: finish }, { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 }),
      ];
      const events = sseEvents((await collect(encodeAnthropicStream(iterate(input), meta))).join(""));
      expect(events.map((e) => e.event)).toEqual([
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
      ]);
      expect(events[4]?.data).toMatchObject({ delta: { stop_reason: stop }, usage: { output_tokens: 2 } });
    }
  });

  it("closes properly when the upstream sends no finish_reason or usage", async () => {
    const events = sseEvents(
      (await collect(encodeAnthropicStream(iterate([ev({ delta: { content: "x" } })]), meta))).join(""),
    );
    expect(events.slice(3).map((e) => e.data)).toEqual([
      { type: "content_block_stop", index: 0 },
      { type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 0 } },
      { type: "message_stop" },
    ]);
  });

  it("reports a known stop sequence and ignores choices other than 0", async () => {
    const input = [
      ev({ delta: { content: "a" } }),
      { chunk: { ...ev({ index: 1, delta: { content: "other" } }).chunk } },
      ev({ finish_reason: "stop", ...{ stop_reason: "END" } }),
    ];
    const events = sseEvents((await collect(encodeAnthropicStream(iterate(input), meta))).join(""));
    expect(events.filter((e) => e.event === "content_block_delta")).toHaveLength(1);
    expect(events.at(-2)?.data).toMatchObject({ delta: { stop_reason: "stop_sequence", stop_sequence: "END" } });
  });

  it("opens a new text block for text that follows a tool call", async () => {
    const input = [
      ev({ delta: { tool_calls: [{ index: 0, id: "call_1", function: { name: "f", arguments: "{}" } }] } }),
      ev({ delta: { content: "Done." } }),
      ev({ finish_reason: "stop" }),
    ];
    const events = sseEvents((await collect(encodeAnthropicStream(iterate(input), meta))).join(""));
    expect(events.slice(1, 7).map((e) => [e.event, e.data.index])).toEqual([
      ["content_block_start", 0],
      ["content_block_delta", 0],
      ["content_block_stop", 0],
      ["content_block_start", 1],
      ["content_block_delta", 1],
      ["content_block_stop", 1],
    ]);
    expect(events[4]?.data).toMatchObject({ content_block: { type: "text", text: "" } });
  });

  it("gives a tool call without an id a generated toolu_ id", async () => {
    const input = [ev({ delta: { tool_calls: [{ index: 0, function: { name: "f", arguments: "{}" } }] } })];
    const events = sseEvents((await collect(encodeAnthropicStream(iterate(input), meta))).join(""));
    expect(events[1]?.data).toMatchObject({ content_block: { type: "tool_use", name: "f", input: {} } });
    const block = (events[1]?.data.content_block ?? {}) as { id?: unknown };
    expect(String(block.id)).toMatch(/^toolu_[0-9a-f]{32}$/);
  });

  it("formats an error event", () => {
    expect(anthropicStreamError("overloaded_error", "Overloaded")).toBe(
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n',
    );
  });

  it("decodes back to the same canonical stream (Anthropic upstream → Anthropic client)", async () => {
    const decoded = await collect(decodeAnthropicStream(bodyOf(toolStream), "m"));
    const reencoded = (await collect(encodeAnthropicStream(iterate(decoded), meta))).join("");
    expect(essentials(await collect(decodeAnthropicStream(bodyOf(reencoded, 3), "m")))).toEqual(essentials(decoded));
  });

  it("is read correctly by the official @anthropic-ai/sdk stream accumulator", async () => {
    const sse = (await collect(encodeAnthropicStream(iterate(openaiStyle), meta))).join("");
    const client = new Anthropic({
      apiKey: "test-key",
      baseURL: "http://127.0.0.1:9",
      maxRetries: 0,
      fetch: async () => new Response(bodyOf(sse, 11), { headers: { "content-type": "text/event-stream" } }),
    });
    const stream = client.messages.stream({
      model: "my-alias",
      max_tokens: 100,
      messages: [{ role: "user", content: "Hi" }],
    });
    let text = "";
    stream.on("text", (t) => {
      text += t;
    });
    const message = await stream.finalMessage();
    expect(text).toBe("Let me check.");
    expect(message).toMatchObject({
      id: "msg_gw_1",
      model: "my-alias",
      stop_reason: "tool_use",
      content: [
        { type: "text", text: "Let me check." },
        { type: "tool_use", id: "call_1", name: "get", input: { id: 7 } },
        { type: "tool_use", id: "call_2", name: "put", input: {} },
      ],
      usage: { input_tokens: 25, output_tokens: 12 },
    });
  });
});
