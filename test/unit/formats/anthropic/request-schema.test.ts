import { describe, expect, it } from "vitest";
import { parseAnthropicRequest } from "../../../../src/formats/anthropic/request-schema";

const base = { model: "claude-sonnet-4-5", max_tokens: 256, messages: [{ role: "user", content: "Hi" }] };

describe("parseAnthropicRequest: accepts documented requests", () => {
  it("accepts a full request with every supported field", () => {
    const req = {
      ...base,
      system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }],
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is this?" },
            { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
            { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
          ],
        },
        {
          role: "assistant",
          content: [
            { type: "text", text: "Let me check." },
            { type: "tool_use", id: "toolu_1", name: "lookup", input: { q: "cat" } },
          ],
        },
        {
          role: "user",
          content: [
            {
              type: "tool_result",
              tool_use_id: "toolu_1",
              content: [{ type: "text", text: "a cat" }],
              is_error: false,
            },
          ],
        },
      ],
      stop_sequences: ["END"],
      temperature: 0.5,
      top_p: 0.9,
      top_k: 40,
      stream: true,
      tools: [{ name: "lookup", description: "Look up", input_schema: { type: "object", properties: {} } }],
      tool_choice: { type: "auto", disable_parallel_tool_use: true },
      metadata: { user_id: "u-1" },
      service_tier: "auto",
    };
    const r = parseAnthropicRequest(req);
    expect(r.ok).toBe(true);
    // Prompt-cache breakpoints are kept (they reach Anthropic upstreams).
    if (r.ok)
      expect(r.value.system).toEqual([{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }]);
  });

  it.each([{ type: "auto" }, { type: "any" }, { type: "tool", name: "lookup" }, { type: "none" }])(
    "accepts tool_choice %o",
    (tool_choice) => {
      expect(parseAnthropicRequest({ ...base, tool_choice }).ok).toBe(true);
    },
  );
});

describe("parseAnthropicRequest: rejects with a dotted param", () => {
  const cases: { name: string; body: unknown; param: string | null; message?: RegExp }[] = [
    { name: "non-object body", body: 5, param: null, message: /^Invalid request body/ },
    { name: "missing max_tokens", body: { model: "m", messages: base.messages }, param: "max_tokens" },
    { name: "zero max_tokens", body: { ...base, max_tokens: 0 }, param: "max_tokens" },
    { name: "fractional max_tokens", body: { ...base, max_tokens: 1.5 }, param: "max_tokens" },
    { name: "temperature above 1", body: { ...base, temperature: 1.5 }, param: "temperature" },
    { name: "negative top_k", body: { ...base, top_k: -1 }, param: "top_k" },
    { name: "empty messages", body: { ...base, messages: [] }, param: "messages" },
    {
      name: "system role in messages",
      body: { ...base, messages: [{ role: "system", content: "x" }] },
      param: "messages.0.role",
    },
    {
      name: "unknown top-level field",
      body: { ...base, mcp_servers: [{ type: "url", url: "https://example.com", name: "x" }] },
      param: "mcp_servers",
      message: /Unsupported field `mcp_servers`/,
    },
    {
      name: "a thinking budget below Anthropic's minimum",
      body: { ...base, thinking: { type: "enabled", budget_tokens: 100 } },
      param: "thinking.budget_tokens",
    },
    {
      name: "a document without a source",
      body: { ...base, messages: [{ role: "user", content: [{ type: "document", source: {} }] }] },
      param: "messages.0.content.0.source.type",
    },
    {
      name: "untranslatable block type",
      body: { ...base, messages: [{ role: "user", content: [{ type: "search_result", source: "x" }] }] },
      param: "messages.0.content.0.type",
    },
    {
      name: "a cache_control that is not ephemeral",
      body: { ...base, system: [{ type: "text", text: "x", cache_control: { type: "persistent" } }] },
      param: "system.0.cache_control.type",
    },
    {
      name: "tool_use inside a user turn",
      body: { ...base, messages: [{ role: "user", content: [{ type: "tool_use", id: "t", name: "n", input: {} }] }] },
      param: "messages.0.content.0.type",
    },
    {
      name: "image with unsupported media type",
      body: {
        ...base,
        messages: [
          {
            role: "user",
            content: [{ type: "image", source: { type: "base64", media_type: "image/bmp", data: "x" } }],
          },
        ],
      },
      param: "messages.0.content.0.source.media_type",
    },
    {
      name: "image URL that is not http(s)",
      body: {
        ...base,
        messages: [{ role: "user", content: [{ type: "image", source: { type: "url", url: "file:///etc" } }] }],
      },
      param: "messages.0.content.0.source.url",
    },
    {
      name: "content of the wrong type",
      body: { ...base, messages: [{ role: "user", content: 7 }] },
      param: "messages.0.content",
    },
    {
      name: "text block without text",
      body: { ...base, messages: [{ role: "user", content: [{ type: "text" }] }] },
      param: "messages.0.content.0.text",
    },
    { name: "tool without input_schema", body: { ...base, tools: [{ name: "x" }] }, param: "tools.0.input_schema" },
    {
      name: "tool with a bad name",
      body: { ...base, tools: [{ name: "a b", input_schema: { type: "object" } }] },
      param: "tools.0.name",
    },
    { name: "unknown tool_choice", body: { ...base, tool_choice: { type: "some" } }, param: "tool_choice.type" },
    {
      name: "tool_choice tool without name",
      body: { ...base, tool_choice: { type: "tool" } },
      param: "tool_choice.name",
    },
  ];

  it.each(cases)("$name", ({ body, param, message }) => {
    const r = parseAnthropicRequest(body);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.param).toBe(param);
    if (param !== null) expect(r.message).toContain(param);
    if (message) expect(r.message).toMatch(message);
  });
});
