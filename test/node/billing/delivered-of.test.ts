import { describe, expect, it } from "vitest";
import type { ChatChunk, ChatResponse } from "../../../src/canonical/chat";
import { addChunk, deliveredOf } from "../../../src/gateway/billing/meter";
import type { Delivered } from "../../../src/gateway/billing/usage";
import { textTokenWeight } from "../../../src/routing/text-tokens";

type Message = ChatResponse["choices"][number]["message"];

function response(messages: Message[]): ChatResponse {
  return {
    id: "chatcmpl-1",
    object: "chat.completion",
    created: 0,
    model: "m",
    choices: messages.map((message, index) => ({ index, message, finish_reason: "stop" })),
  };
}

/** The same answer as one streamed chunk per choice: a JSON answer must weigh what its stream would. */
function streamed(messages: Message[]): Delivered {
  const into: Delivered = { chars: 0, weight: 0 };
  for (const [index, m] of messages.entries()) {
    const chunk: ChatChunk = {
      id: "chatcmpl-1",
      object: "chat.completion.chunk",
      created: 0,
      model: "m",
      choices: [
        {
          index,
          delta: {
            ...(typeof m.content === "string" ? { content: m.content } : {}),
            ...(typeof m.refusal === "string" ? { refusal: m.refusal } : {}),
            ...(m.tool_calls === undefined
              ? {}
              : {
                  tool_calls: m.tool_calls.map((c, i) => ({
                    index: i,
                    function: { name: c.function.name, arguments: c.function.arguments },
                  })),
                }),
          },
          finish_reason: null,
        },
      ],
    };
    addChunk(into, chunk);
  }
  return into;
}

describe.each<{ name: string; messages: Message[]; texts: string[] }>([
  { name: "plain content", messages: [{ role: "assistant", content: "Hello there!" }], texts: ["Hello there!"] },
  { name: "no text", messages: [{ role: "assistant", content: null }], texts: [] },
  { name: "empty content", messages: [{ role: "assistant", content: "" }], texts: [] },
  {
    name: "CJK, emoji and a refusal",
    messages: [{ role: "assistant", content: "你好，世界 👋🏽", refusal: "Нет" }],
    texts: ["你好，世界 👋🏽", "Нет"],
  },
  {
    name: "tool calls over two choices",
    messages: [
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "c1", type: "function", function: { name: "get_weather", arguments: '{"city":"Zürich"}' } }],
      },
      { role: "assistant", content: "second choice" },
    ],
    texts: ["get_weather", '{"city":"Zürich"}', "second choice"],
  },
])("deliveredOf: $name", ({ messages, texts }) => {
  it("counts the characters and weighs the text as the stream path does", () => {
    const delivered = deliveredOf(response(messages));
    const expected = streamed(messages);
    expect(delivered.chars).toBe(texts.reduce((n, t) => n + t.length, 0));
    expect(delivered.chars).toBe(expected.chars);
    expect(delivered.weight).toBe(texts.reduce((w, t) => w + textTokenWeight(t), 0));
    expect(delivered.weight).toBe(expected.weight);
    // Read twice (a bill may read it more than once): the same weight.
    expect(delivered.weight).toBe(expected.weight);
  });
});
