import { describe, expect, it } from "vitest";
import { GatewayError } from "../../../../src/errors";
import { responsesParam, responsesToCanonical } from "../../../../src/formats/responses/client-request";
import { parseResponsesRequest } from "../../../../src/formats/responses/request-schema";
import { aiSdkConversationRequest, functionRoundTripRequest } from "../../../fixtures/transcripts/openai-responses";

function canonical(body: Record<string, unknown>) {
  const parsed = parseResponsesRequest({ model: "m", ...body });
  if (!parsed.ok) throw new Error(`${parsed.param}: ${parsed.message}`);
  return responsesToCanonical(parsed.value);
}

function refusal(body: Record<string, unknown>): { param: string | null; message: string } {
  const parsed = parseResponsesRequest({ model: "m", ...body });
  if (!parsed.ok) return { param: parsed.param, message: parsed.message };
  try {
    responsesToCanonical(parsed.value);
  } catch (err) {
    if (err instanceof GatewayError) return { param: err.param, message: err.message };
    throw err;
  }
  throw new Error("accepted");
}

describe("responsesToCanonical: input items → messages", () => {
  it.each<[string, Record<string, unknown>, unknown[]]>([
    ["a string input", { input: "Hi" }, [{ role: "user", content: "Hi" }]],
    [
      "instructions first",
      { input: "Hi", instructions: "Be brief." },
      [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi" },
      ],
    ],
    [
      "developer and system messages as system, their parts joined",
      {
        input: [
          {
            role: "developer",
            content: [
              { type: "input_text", text: "a" },
              { type: "input_text", text: "b" },
            ],
          },
          { type: "message", role: "system", content: "c" },
        ],
      },
      [
        { role: "system", content: "ab" },
        { role: "system", content: "c" },
      ],
    ],
    [
      "user text and images as content parts",
      {
        input: [
          {
            role: "user",
            content: [
              { type: "input_text", text: "look" },
              { type: "input_image", image_url: "data:image/png;base64,AAAA", detail: "high" },
              { type: "input_image", image_url: "https://x.test/a.png" },
            ],
          },
        ],
      },
      [
        {
          role: "user",
          content: [
            { type: "text", text: "look" },
            { type: "image_url", image_url: { url: "data:image/png;base64,AAAA", detail: "high" } },
            { type: "image_url", image_url: { url: "https://x.test/a.png" } },
          ],
        },
      ],
    ],
    [
      "assistant output text and refusals as text",
      {
        input: [
          {
            role: "assistant",
            content: [
              { type: "output_text", text: "x", annotations: [] },
              { type: "refusal", refusal: "y" },
            ],
          },
        ],
      },
      [{ role: "assistant", content: "xy" }],
    ],
    [
      "calls of one turn join the assistant message before them",
      {
        input: [
          { role: "assistant", content: "Checking." },
          { type: "function_call", call_id: "c1", name: "f", arguments: "{}" },
          { type: "function_call", call_id: "c2", name: "g", arguments: '{"a":1}' },
          { type: "function_call_output", call_id: "c1", output: "one" },
          { type: "function_call_output", call_id: "c2", output: [{ type: "input_text", text: "two" }] },
        ],
      },
      [
        {
          role: "assistant",
          content: "Checking.",
          tool_calls: [
            { id: "c1", type: "function", function: { name: "f", arguments: "{}" } },
            { id: "c2", type: "function", function: { name: "g", arguments: '{"a":1}' } },
          ],
        },
        { role: "tool", tool_call_id: "c1", content: "one" },
        { role: "tool", tool_call_id: "c2", content: "two" },
      ],
    ],
    [
      "a call with no text before it opens its own assistant message",
      {
        input: [
          { role: "user", content: "q" },
          { type: "function_call", call_id: "c1", name: "f", arguments: "{}", id: "fc_1", status: "completed" },
        ],
      },
      [
        { role: "user", content: "q" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }],
        },
      ],
    ],
  ])("%s", (_label, body, messages) => {
    expect(canonical(body).messages).toEqual(messages);
  });

  it("translates the documented function-calling round trip", () => {
    const { model: _model, ...body } = functionRoundTripRequest;
    const req = canonical(body);
    expect(req.messages).toEqual([
      { role: "system", content: "You are a weather bot." },
      { role: "user", content: "What's the weather like in Paris today?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          {
            id: "call_12345xyz",
            type: "function",
            function: { name: "get_weather", arguments: '{"location":"Paris, France"}' },
          },
        ],
      },
      { role: "tool", tool_call_id: "call_12345xyz", content: '{"temperature": 14}' },
    ]);
    expect(req.tools).toEqual([
      {
        type: "function",
        function: {
          name: "get_weather",
          description: "Get current temperature for a given location.",
          parameters: functionRoundTripRequest.tools[0]?.parameters,
          strict: true,
        },
      },
    ]);
  });

  it("translates the AI SDK's stateless conversation", () => {
    const { model: _model, ...body } = aiSdkConversationRequest;
    const req = canonical(body);
    expect(req.messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"]);
    expect(req.messages[2]?.content).toBe("Hello!");
    expect(req.temperature).toBe(0.2);
    expect(req).not.toHaveProperty("store");
  });
});

describe("responsesToCanonical: settings", () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ["max_output_tokens", { max_output_tokens: 99 }, { max_completion_tokens: 99 }],
    ["sampling", { temperature: 0, top_p: 0.5 }, { temperature: 0, top_p: 0.5 }],
    [
      "tool_choice by name",
      { tool_choice: { type: "function", name: "f" } },
      { tool_choice: { type: "function", function: { name: "f" } } },
    ],
    ["tool_choice required", { tool_choice: "required" }, { tool_choice: "required" }],
    ["parallel_tool_calls", { parallel_tool_calls: false }, { parallel_tool_calls: false }],
    ["json_object", { text: { format: { type: "json_object" } } }, { response_format: { type: "json_object" } }],
    [
      "json_schema",
      {
        text: {
          format: { type: "json_schema", name: "s", schema: { type: "object" }, description: "d", strict: true },
        },
      },
      {
        response_format: {
          type: "json_schema",
          json_schema: { name: "s", schema: { type: "object" }, description: "d", strict: true },
        },
      },
    ],
    ["verbosity", { text: { verbosity: "low" } }, { verbosity: "low" }],
    ["reasoning effort", { reasoning: { effort: "high", summary: "auto" } }, { reasoning_effort: "high" }],
    ["streaming asks for usage", { stream: true }, { stream: true, stream_options: { include_usage: true } }],
    ["user and cache key pass through", { user: "u", prompt_cache_key: "k" }, { user: "u", prompt_cache_key: "k" }],
  ])("%s", (_label, body, expected) => {
    expect(canonical({ input: "x", ...body })).toMatchObject(expected);
  });

  it.each<[string, Record<string, unknown>]>([
    ["text format", { text: { format: { type: "text" } } }],
    [
      "nulls",
      { temperature: null, top_p: null, max_output_tokens: null, tool_choice: null, tools: null, reasoning: null },
    ],
    ["metadata (echoed, not forwarded)", { metadata: { a: "b" } }],
    ["store: false", { store: false }],
    ["include", { include: ["reasoning.encrypted_content"] }],
  ])("adds nothing for %s", (_label, body) => {
    expect(Object.keys(canonical({ input: "x", ...body })).sort()).toEqual(["messages", "model"]);
  });

  it("a function tool offered by name alone (a gateway tool) keeps just its name", () => {
    expect(canonical({ input: "x", tools: [{ type: "function", name: "local_search" }] }).tools).toEqual([
      { type: "function", function: { name: "local_search" } },
    ]);
  });
});

describe("refusals name the Responses field", () => {
  it.each<[string, Record<string, unknown>, string]>([
    ["store: true", { input: "x", store: true }, "store"],
    ["previous_response_id", { input: "x", previous_response_id: "resp_1" }, "previous_response_id"],
    ["item_reference", { input: [{ type: "item_reference", id: "msg_1" }] }, "input.0.type"],
    ["a hosted tool", { input: "x", tools: [{ type: "file_search", vector_store_ids: [] }] }, "tools.0.type"],
    ["a bad tool name", { input: "x", tools: [{ type: "function", name: "no spaces" }] }, "tools.0.name"],
    [
      "allowed_tools tool_choice",
      { input: "x", tool_choice: { type: "allowed_tools", mode: "auto", tools: [] } },
      "tool_choice.type",
    ],
    [
      "a function call without call_id",
      { input: [{ type: "function_call", name: "f", arguments: "{}" }] },
      "input.0.call_id",
    ],
    [
      "an image in a tool output",
      {
        input: [
          {
            type: "function_call_output",
            call_id: "c",
            output: [{ type: "input_image", image_url: "https://x.test/i.png" }],
          },
        ],
      },
      "input.0.output.0.type",
    ],
    ["a bad role", { input: [{ role: "tool", content: "x" }] }, "input.0.role"],
    ["top_logprobs", { input: "x", top_logprobs: 3 }, "top_logprobs"],
    ["a missing input", {}, "input"],
  ])("%s", (_label, body, param) => {
    expect(refusal(body).param).toBe(param);
  });
});

describe("responsesParam", () => {
  it.each([
    ["max_completion_tokens", "max_output_tokens"],
    ["max_tokens", "max_output_tokens"],
    ["response_format", "text.format"],
    ["reasoning_effort", "reasoning.effort"],
    ["messages.3.content.0.image_url.url", "input"],
    ["temperature", "temperature"],
  ])("%s → %s", (canonicalParam, param) => {
    expect(responsesParam(canonicalParam)).toBe(param);
  });
});
