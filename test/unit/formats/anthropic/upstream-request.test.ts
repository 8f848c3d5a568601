import { describe, expect, it } from "vitest";
import type { ChatRequest } from "../../../../src/canonical/chat";
import { type AnthropicRequest, anthropicRequestSchema } from "../../../../src/formats/anthropic/request-schema";
import { canonicalToAnthropicRequest } from "../../../../src/formats/anthropic/upstream-request";

const opts = { defaultMaxTokens: 1024 };

function translate(req: Partial<ChatRequest>): AnthropicRequest {
  const r = canonicalToAnthropicRequest(
    { model: "alias", messages: [{ role: "user", content: "Hi" }], ...req },
    "claude-x",
    opts,
  );
  if (!r.ok) throw new Error(r.message);
  // Whatever we send must be a valid Messages request by the same schema we hold clients to.
  expect(anthropicRequestSchema.safeParse(r.value).success).toBe(true);
  return r.value;
}

describe("canonicalToAnthropicRequest: translations", () => {
  it("uses the upstream model and the default max_tokens", () => {
    expect(translate({})).toEqual({ model: "claude-x", max_tokens: 1024, messages: [{ role: "user", content: "Hi" }] });
  });

  it.each([
    [{ max_completion_tokens: 50, max_tokens: 70 }, 50],
    [{ max_tokens: 70 }, 70],
    [{ max_completion_tokens: null, max_tokens: null }, 1024],
  ])("max_tokens from %o is %i", (fields, expected) => {
    expect(translate(fields).max_tokens).toBe(expected);
  });

  it("merges system and developer messages into `system`", () => {
    const out = translate({
      messages: [
        { role: "system", content: "Rule 1" },
        { role: "developer", content: [{ type: "text", text: "Rule 2" }] },
        { role: "user", content: "Hi" },
      ],
    });
    expect(out.system).toEqual([
      { type: "text", text: "Rule 1" },
      { type: "text", text: "Rule 2" },
    ]);
    expect(out.messages).toEqual([{ role: "user", content: "Hi" }]);
    expect(
      translate({
        messages: [
          { role: "system", content: "Only" },
          { role: "user", content: "Hi" },
        ],
      }).system,
    ).toBe("Only");
  });

  it("turns tool calls into tool_use, tool messages into one user turn of tool_results, merging the next user text", () => {
    const out = translate({
      messages: [
        { role: "user", content: "Weather?" },
        {
          role: "assistant",
          content: "",
          tool_calls: [
            { id: "call_1", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } },
            { id: "call_2", type: "function", function: { name: "weather", arguments: "" } },
          ],
        },
        { role: "tool", tool_call_id: "call_1", content: "18C" },
        { role: "tool", tool_call_id: "call_2", content: [{ type: "text", text: "22C" }] },
        { role: "user", content: "Thanks" },
        { role: "user", content: [{ type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } }] },
      ],
    });
    expect(out.messages).toEqual([
      { role: "user", content: "Weather?" },
      {
        role: "assistant",
        content: [
          { type: "tool_use", id: "call_1", name: "weather", input: { city: "Paris" } },
          { type: "tool_use", id: "call_2", name: "weather", input: {} },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "call_1", content: "18C" },
          { type: "tool_result", tool_use_id: "call_2", content: [{ type: "text", text: "22C" }] },
          { type: "text", text: "Thanks" },
          { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
        ],
      },
    ]);
  });

  it("maps image URLs: data: to base64, http(s) to url", () => {
    const out = translate({
      messages: [
        {
          role: "user",
          content: [
            { type: "image_url", image_url: { url: "data:image/webp;base64,UklGR==" } },
            { type: "image_url", image_url: { url: "https://example.com/x.jpg", detail: "high" } },
          ],
        },
      ],
    });
    expect(out.messages[0]?.content).toEqual([
      { type: "image", source: { type: "base64", media_type: "image/webp", data: "UklGR==" } },
      { type: "image", source: { type: "url", url: "https://example.com/x.jpg" } },
    ]);
  });

  it("maps sampling, stop, user and tools", () => {
    const out = translate({
      temperature: 0.7,
      top_p: 0.5,
      top_k: 3,
      stop: "END",
      user: "user-9",
      tools: [
        { type: "function", function: { name: "noargs" } },
        {
          type: "function",
          function: {
            name: "get",
            description: "d",
            parameters: { type: "object", properties: { a: { type: "string" } } },
          },
        },
      ],
      tool_choice: { type: "function", function: { name: "get" } },
      parallel_tool_calls: false,
    });
    expect(out).toMatchObject({
      temperature: 0.7,
      top_p: 0.5,
      top_k: 3,
      stop_sequences: ["END"],
      metadata: { user_id: "user-9" },
      tools: [
        { name: "noargs", input_schema: { type: "object", properties: {} } },
        { name: "get", description: "d", input_schema: { type: "object", properties: { a: { type: "string" } } } },
      ],
      tool_choice: { type: "tool", name: "get", disable_parallel_tool_use: true },
    });
    expect(translate({ stop: ["a", "b"] }).stop_sequences).toEqual(["a", "b"]);
  });

  const tools = [{ type: "function" as const, function: { name: "t" } }];
  it.each([
    [{ tool_choice: "auto" as const }, { type: "auto" }],
    [{ tool_choice: "none" as const }, { type: "none" }],
    [{ tool_choice: "required" as const }, { type: "any" }],
    [{ parallel_tool_calls: false }, { type: "auto", disable_parallel_tool_use: true }],
    [{}, undefined],
  ])("tool_choice for %o", (fields, expected) => {
    expect(translate({ tools, ...fields }).tool_choice).toEqual(expected);
  });

  it("sends no tool_choice without tools", () => {
    expect(translate({ tool_choice: "none" }).tool_choice).toBeUndefined();
  });

  it("keeps temperature 1 and 0 as they are", () => {
    expect(translate({ temperature: 1 }).temperature).toBe(1);
    expect(translate({ temperature: 0 }).temperature).toBe(0);
  });
});

describe("canonicalToAnthropicRequest: what cannot be said is an error, never a silent change", () => {
  const cases: { name: string; req: Partial<ChatRequest>; param: string }[] = [
    { name: "temperature above 1 (not clamped)", req: { temperature: 1.3 }, param: "temperature" },
    {
      name: "json_schema response format",
      req: { response_format: { type: "json_schema", json_schema: { name: "x" } } },
      param: "response_format",
    },
    {
      name: "json_object response format",
      req: { response_format: { type: "json_object" } },
      param: "response_format",
    },
    {
      name: "audio input part",
      req: {
        messages: [{ role: "user", content: [{ type: "input_audio", input_audio: { data: "x", format: "wav" } }] }],
      },
      param: "messages.0.content.0.type",
    },
    {
      name: "image with an unsupported URL",
      req: {
        messages: [
          { role: "user", content: [{ type: "image_url", image_url: { url: "data:image/bmp;base64,Qk0=" } }] },
        ],
      },
      param: "messages.0.content.0.image_url.url",
    },
    {
      name: "image in a system message",
      req: {
        messages: [
          { role: "system", content: [{ type: "image_url", image_url: { url: "https://x/y.png" } }] },
          { role: "user", content: "Hi" },
        ],
      },
      param: "messages.0.content.0.type",
    },
    {
      name: "tool call arguments that are not a JSON object",
      req: {
        messages: [
          { role: "user", content: "Hi" },
          {
            role: "assistant",
            content: null,
            tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{bad" } }],
          },
        ],
      },
      param: "messages.1.tool_calls.0.function.arguments",
    },
    {
      name: "tool message without tool_call_id",
      req: { messages: [{ role: "tool", content: "x" }] },
      param: "messages.0.tool_call_id",
    },
  ];

  it.each(cases)("$name", ({ req, param }) => {
    const r = canonicalToAnthropicRequest(
      { model: "a", messages: [{ role: "user", content: "Hi" }], ...req },
      "m",
      opts,
    );
    expect(r).toMatchObject({ ok: false, param });
  });
});
