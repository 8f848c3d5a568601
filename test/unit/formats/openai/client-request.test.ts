import { describe, expect, it } from "vitest";
import { parseChatRequest } from "../../../../src/formats/openai/client-request";

const base = { model: "small", messages: [{ role: "user", content: "Hi" }] };
const withBody = (extra: Record<string, unknown>) => ({ ...base, ...extra });
const withMessage = (message: Record<string, unknown>) => ({ ...base, messages: [message] });

const tool = (name: string) => ({ type: "function", function: { name, parameters: { type: "object" } } });

describe("parseChatRequest accepts", () => {
  it.each<[string, unknown]>([
    ["a minimal request", base],
    [
      "every documented field at a valid value",
      withBody({
        stream: true,
        stream_options: { include_usage: true },
        max_tokens: 1,
        max_completion_tokens: 4096,
        temperature: 2,
        top_p: 0,
        n: 128,
        stop: ["a", "b", "c", "d"],
        seed: -42,
        logprobs: true,
        top_logprobs: 20,
        presence_penalty: -2,
        frequency_penalty: 2,
        tools: [tool("get_weather-v2")],
        tool_choice: { type: "function", function: { name: "get_weather-v2" } },
        parallel_tool_calls: false,
        response_format: {
          type: "json_schema",
          json_schema: { name: "answer", schema: { type: "object" }, strict: true },
        },
        user: "user-123",
      }),
    ],
    ["null for nullable options", withBody({ temperature: null, max_tokens: null, stop: null, stream_options: null })],
    ["a string stop", withBody({ stop: "\n" })],
    ["tool_choice strings", withBody({ tool_choice: "required", tools: [tool("f")] })],
    ["json_object response format", withBody({ response_format: { type: "json_object" } })],
    [
      "a conversation with every role",
      {
        model: "m",
        messages: [
          { role: "system", content: "Be brief." },
          { role: "developer", content: [{ type: "text", text: "Use French." }] },
          {
            role: "user",
            name: "ann",
            content: [
              { type: "text", text: "What is this?" },
              { type: "image_url", image_url: { url: "https://example.com/a.png", detail: "low" } },
            ],
          },
          {
            role: "assistant",
            content: null,
            tool_calls: [{ id: "call_1", type: "function", function: { name: "look", arguments: "{}" } }],
          },
          { role: "tool", tool_call_id: "call_1", content: "a cat" },
          { role: "assistant", content: "C'est un chat." },
        ],
      },
    ],
    [
      "an unknown content part type (kept for upstreams that know it)",
      withMessage({ role: "user", content: [{ type: "video_url", video_url: { url: "x" } }] }),
    ],
  ])("%s", (_, body) => {
    expect(parseChatRequest(body)).toMatchObject({ ok: true });
  });
});

describe("parseChatRequest rejects, naming the field", () => {
  it.each<[string, unknown, string]>([
    ["a non-object body", "hello", ""],
    ["a missing model", { messages: base.messages }, "model"],
    ["an empty model", withBody({ model: "" }), "model"],
    ["a missing messages array", { model: "m" }, "messages"],
    ["empty messages", withBody({ messages: [] }), "messages"],
    ["an unknown role", withMessage({ role: "function", content: "x" }), "messages.0.role"],
    ["a message without role", withMessage({ content: "x" }), "messages.0.role"],
    ["a numeric content", withMessage({ role: "user", content: 5 }), "messages.0.content"],
    ["a null user content", withMessage({ role: "user", content: null }), "messages.0.content"],
    ["an empty parts array", withMessage({ role: "user", content: [] }), "messages.0.content"],
    [
      "a text part without text",
      withMessage({ role: "user", content: [{ type: "text" }] }),
      "messages.0.content.0.text",
    ],
    [
      "an image part without url",
      withMessage({ role: "user", content: [{ type: "image_url", image_url: {} }] }),
      "messages.0.content.0.image_url.url",
    ],
    [
      "an image part in a system message",
      withMessage({ role: "system", content: [{ type: "image_url", image_url: { url: "u" } }] }),
      "messages.0.content.0.type",
    ],
    ["a tool message without tool_call_id", withMessage({ role: "tool", content: "r" }), "messages.0.tool_call_id"],
    [
      "an assistant message with neither content nor tool_calls",
      withMessage({ role: "assistant", content: null }),
      "messages.0.content",
    ],
    [
      "a tool call without id",
      withMessage({ role: "assistant", tool_calls: [{ type: "function", function: { name: "f", arguments: "{}" } }] }),
      "messages.0.tool_calls.0.id",
    ],
    [
      "a tool call whose arguments are an object",
      withMessage({
        role: "assistant",
        tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: {} } }],
      }),
      "messages.0.tool_calls.0.function.arguments",
    ],
    ["stream as a string", withBody({ stream: "yes" }), "stream"],
    [
      "include_usage as a string",
      withBody({ stream_options: { include_usage: "true" } }),
      "stream_options.include_usage",
    ],
    ["max_tokens 0", withBody({ max_tokens: 0 }), "max_tokens"],
    ["a fractional max_completion_tokens", withBody({ max_completion_tokens: 1.5 }), "max_completion_tokens"],
    ["temperature above 2", withBody({ temperature: 2.01 }), "temperature"],
    ["temperature below 0", withBody({ temperature: -0.1 }), "temperature"],
    ["top_p above 1", withBody({ top_p: 1.5 }), "top_p"],
    ["n of 0", withBody({ n: 0 }), "n"],
    ["n above 128", withBody({ n: 129 }), "n"],
    ["five stop sequences", withBody({ stop: ["a", "b", "c", "d", "e"] }), "stop"],
    ["a non-string stop entry", withBody({ stop: ["a", 1] }), "stop.1"],
    ["a fractional seed", withBody({ seed: 0.5 }), "seed"],
    ["logprobs as a number", withBody({ logprobs: 1 }), "logprobs"],
    ["top_logprobs above 20", withBody({ top_logprobs: 21 }), "top_logprobs"],
    ["presence_penalty below -2", withBody({ presence_penalty: -3 }), "presence_penalty"],
    ["frequency_penalty above 2", withBody({ frequency_penalty: 2.5 }), "frequency_penalty"],
    ["a tool name with a space", withBody({ tools: [tool("get weather")] }), "tools.0.function.name"],
    ["a tool name of 65 characters", withBody({ tools: [tool("a".repeat(65))] }), "tools.0.function.name"],
    ["a non-function tool", withBody({ tools: [{ type: "retrieval" }] }), "tools.0.type"],
    [
      "tool parameters that are not an object",
      withBody({ tools: [{ type: "function", function: { name: "f", parameters: "x" } }] }),
      "tools.0.function.parameters",
    ],
    ["an unknown tool_choice", withBody({ tool_choice: "sometimes" }), "tool_choice"],
    [
      "a tool_choice without function name",
      withBody({ tool_choice: { type: "function", function: {} } }),
      "tool_choice.function.name",
    ],
    ["parallel_tool_calls as a string", withBody({ parallel_tool_calls: "no" }), "parallel_tool_calls"],
    ["an unknown response_format", withBody({ response_format: { type: "xml" } }), "response_format.type"],
    [
      "a json_schema without name",
      withBody({ response_format: { type: "json_schema", json_schema: { schema: {} } } }),
      "response_format.json_schema.name",
    ],
    ["a numeric user", withBody({ user: 7 }), "user"],
  ])("%s", (_, body, param) => {
    const result = parseChatRequest(body);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.param).toBe(param);
    expect(result.message.length).toBeGreaterThan(0);
    if (param !== "") expect(result.message).toContain(`'${param}'`);
  });
});

describe("parseChatRequest keeps what it does not model", () => {
  it("passes unknown top-level, message and part fields through unchanged", () => {
    const body = {
      model: "m",
      messages: [
        { role: "user", content: [{ type: "text", text: "hi", cache_control: { type: "ephemeral" } }], x_meta: 1 },
      ],
      logit_bias: { "50256": -100 },
      reasoning_effort: "low",
      metadata: { run: "7" },
      top_k: 40,
    };
    const result = parseChatRequest(body);
    expect(result).toEqual({ ok: true, value: body });
  });

  it("treats null as absent for options that have no null form, without inventing keys", () => {
    const result = parseChatRequest({ ...base, tools: null, user: null, stream: null });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.tools).toBeUndefined();
    expect(JSON.parse(JSON.stringify(result.value))).toEqual(base);
    const plain = parseChatRequest(base);
    expect(plain.ok && Object.keys(plain.value)).toEqual(["model", "messages"]);
  });
});
