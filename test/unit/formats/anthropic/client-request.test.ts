import { describe, expect, it } from "vitest";
import type { ChatRequest } from "../../../../src/canonical/chat";
import { anthropicToCanonical } from "../../../../src/formats/anthropic/client-request";
import { type AnthropicRequest, parseAnthropicRequest } from "../../../../src/formats/anthropic/request-schema";

function parse(body: Record<string, unknown>): AnthropicRequest {
  const r = parseAnthropicRequest({ model: "m", max_tokens: 100, ...body });
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

const hi = [{ role: "user", content: "Hi" }];

describe("anthropicToCanonical", () => {
  const cases: { name: string; body: Record<string, unknown>; expected: Partial<ChatRequest> }[] = [
    {
      name: "string system and string content",
      body: { system: "Be brief.", messages: hi },
      expected: {
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "Hi" },
        ],
      },
    },
    {
      name: "system blocks become text parts",
      body: {
        system: [
          { type: "text", text: "A" },
          { type: "text", text: "B" },
        ],
        messages: hi,
      },
      expected: {
        messages: [
          {
            role: "system",
            content: [
              { type: "text", text: "A" },
              { type: "text", text: "B" },
            ],
          },
          { role: "user", content: "Hi" },
        ],
      },
    },
    {
      name: "images become image_url parts (base64 as a data: URL)",
      body: {
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "Compare" },
              { type: "image", source: { type: "base64", media_type: "image/jpeg", data: "/9j/4AAQ" } },
              { type: "image", source: { type: "url", url: "https://example.com/b.png" } },
            ],
          },
        ],
      },
      expected: {
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "Compare" },
              { type: "image_url", image_url: { url: "data:image/jpeg;base64,/9j/4AAQ" } },
              { type: "image_url", image_url: { url: "https://example.com/b.png" } },
            ],
          },
        ],
      },
    },
    {
      name: "assistant tool_use becomes tool_calls; tool_results become tool messages before the remaining user text",
      body: {
        messages: [
          { role: "user", content: "Weather in Paris and Rome?" },
          {
            role: "assistant",
            content: [
              { type: "text", text: "Checking." },
              { type: "tool_use", id: "toolu_1", name: "weather", input: { city: "Paris" } },
              { type: "tool_use", id: "toolu_2", name: "weather", input: { city: "Rome" } },
            ],
          },
          {
            role: "user",
            content: [
              { type: "tool_result", tool_use_id: "toolu_1", content: "18C" },
              {
                type: "tool_result",
                tool_use_id: "toolu_2",
                content: [{ type: "text", text: "22C" }],
                is_error: false,
              },
              { type: "text", text: "Which is warmer?" },
            ],
          },
        ],
      },
      expected: {
        messages: [
          { role: "user", content: "Weather in Paris and Rome?" },
          {
            role: "assistant",
            content: [{ type: "text", text: "Checking." }],
            tool_calls: [
              { id: "toolu_1", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } },
              { id: "toolu_2", type: "function", function: { name: "weather", arguments: '{"city":"Rome"}' } },
            ],
          },
          { role: "tool", tool_call_id: "toolu_1", content: "18C" },
          { role: "tool", tool_call_id: "toolu_2", content: [{ type: "text", text: "22C" }] },
          { role: "user", content: [{ type: "text", text: "Which is warmer?" }] },
        ],
      },
    },
    {
      name: "assistant with only tool_use has null content; a result without content is empty",
      body: {
        messages: [
          { role: "user", content: "Go" },
          { role: "assistant", content: [{ type: "tool_use", id: "t", name: "run", input: {} }] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "t" }] },
        ],
      },
      expected: {
        messages: [
          { role: "user", content: "Go" },
          {
            role: "assistant",
            content: null,
            tool_calls: [{ id: "t", type: "function", function: { name: "run", arguments: "{}" } }],
          },
          { role: "tool", tool_call_id: "t", content: "" },
        ],
      },
    },
    {
      name: "sampling, stop sequences, user, streaming",
      body: {
        messages: hi,
        temperature: 0.2,
        top_p: 0.8,
        top_k: 5,
        stop_sequences: ["\n\nHuman:"],
        metadata: { user_id: "u" },
        stream: true,
      },
      expected: {
        temperature: 0.2,
        top_p: 0.8,
        top_k: 5,
        stop: ["\n\nHuman:"],
        user: "u",
        stream: true,
        stream_options: { include_usage: true },
      },
    },
    {
      name: "tools and tool_choice any with parallel use disabled",
      body: {
        messages: hi,
        tools: [
          {
            name: "get",
            description: "Get it",
            input_schema: { type: "object", properties: { id: { type: "string" } } },
          },
        ],
        tool_choice: { type: "any", disable_parallel_tool_use: true },
      },
      expected: {
        tools: [
          {
            type: "function",
            function: {
              name: "get",
              description: "Get it",
              parameters: { type: "object", properties: { id: { type: "string" } } },
            },
          },
        ],
        tool_choice: "required",
        parallel_tool_calls: false,
      },
    },
  ];

  it.each(cases)("$name", ({ body, expected }) => {
    const out = anthropicToCanonical(parse(body));
    expect(out).toMatchObject({ model: "m", max_tokens: 100, ...expected });
    if (expected.messages) expect(out.messages).toEqual(expected.messages);
  });

  it.each([
    [{ type: "auto" }, "auto"],
    [{ type: "none" }, "none"],
    [{ type: "any" }, "required"],
    [
      { type: "tool", name: "get" },
      { type: "function", function: { name: "get" } },
    ],
  ])("maps tool_choice %o", (tool_choice, expected) => {
    const tools = [{ name: "get", input_schema: { type: "object" } }];
    const out = anthropicToCanonical(parse({ messages: hi, tools, tool_choice }));
    expect(out.tool_choice).toEqual(expected);
    expect(out.parallel_tool_calls).toBeUndefined();
  });

  it("leaves unset fields unset", () => {
    expect(anthropicToCanonical(parse({ messages: hi }))).toEqual({
      model: "m",
      max_tokens: 100,
      messages: [{ role: "user", content: "Hi" }],
    });
  });
});
