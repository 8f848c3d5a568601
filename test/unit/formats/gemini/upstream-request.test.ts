import { describe, expect, it } from "vitest";
import type { ChatRequest } from "../../../../src/canonical/chat";
import { fromOpenAIRequest } from "../../../../src/formats/gemini/upstream-request";

const MODEL = { model: "gemini-2.5-flash" };

function req(partial: Partial<ChatRequest>): ChatRequest {
  return { model: "alias", messages: [{ role: "user", content: "hi" }], ...partial };
}

describe("fromOpenAIRequest: tools and tool_choice", () => {
  const tools: ChatRequest["tools"] = [
    {
      type: "function",
      function: {
        name: "get_weather",
        description: "Weather for a city",
        parameters: {
          type: "object",
          properties: { location: { type: "string" } },
          required: ["location"],
          additionalProperties: false,
        },
        strict: true,
      },
    },
    { type: "function", function: { name: "get_time", parameters: { type: "object", properties: {} } } },
  ];

  it("declares functions with converted parameters", () => {
    expect(fromOpenAIRequest(req({ tools }), MODEL).tools).toEqual([
      {
        functionDeclarations: [
          {
            name: "get_weather",
            description: "Weather for a city",
            parameters: { type: "OBJECT", properties: { location: { type: "STRING" } }, required: ["location"] },
          },
          { name: "get_time" },
        ],
      },
    ]);
  });

  it.each<[ChatRequest["tool_choice"], unknown]>([
    ["auto", { functionCallingConfig: { mode: "AUTO" } }],
    ["none", { functionCallingConfig: { mode: "NONE" } }],
    ["required", { functionCallingConfig: { mode: "ANY" } }],
    [
      { type: "function", function: { name: "get_time" } },
      { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["get_time"] } },
    ],
    [undefined, undefined],
  ])("tool_choice %j → toolConfig %j", (choice, expected) => {
    const body = fromOpenAIRequest(req(choice === undefined ? { tools } : { tools, tool_choice: choice }), MODEL);
    expect(body.toolConfig).toEqual(expected);
  });

  it("sends neither tools nor toolConfig for an empty tool list", () => {
    const body = fromOpenAIRequest(req({ tools: [], tool_choice: "auto" }), MODEL);
    expect(body.tools).toBeUndefined();
    expect(body.toolConfig).toBeUndefined();
  });
});

describe("fromOpenAIRequest: generationConfig", () => {
  it.each<[string, Partial<ChatRequest>, unknown]>([
    ["nothing set → no generationConfig", {}, undefined],
    ["nulls are ignored", { temperature: null, max_tokens: null, stop: null }, undefined],
    [
      "sampling and limits",
      { temperature: 0.2, top_p: 0.9, max_tokens: 100, n: 2, seed: 7, presence_penalty: 0.5, frequency_penalty: -0.5 },
      {
        temperature: 0.2,
        topP: 0.9,
        maxOutputTokens: 100,
        candidateCount: 2,
        seed: 7,
        presencePenalty: 0.5,
        frequencyPenalty: -0.5,
      },
    ],
    [
      "max_completion_tokens wins over max_tokens",
      { max_tokens: 100, max_completion_tokens: 50 },
      { maxOutputTokens: 50 },
    ],
    ["stop string → array", { stop: "END" }, { stopSequences: ["END"] }],
    ["stop array", { stop: ["a", "b"] }, { stopSequences: ["a", "b"] }],
    ["logprobs with top_logprobs", { logprobs: true, top_logprobs: 3 }, { responseLogprobs: true, logprobs: 3 }],
    ["logprobs false", { logprobs: false, top_logprobs: 3 }, undefined],
    ["json_object", { response_format: { type: "json_object" } }, { responseMimeType: "application/json" }],
    ["text format", { response_format: { type: "text" } }, undefined],
    [
      "json_schema → responseSchema converted",
      {
        response_format: {
          type: "json_schema",
          json_schema: {
            name: "answer",
            strict: true,
            schema: { type: "object", properties: { n: { type: "integer" } }, additionalProperties: false },
          },
        },
      },
      {
        responseMimeType: "application/json",
        responseSchema: { type: "OBJECT", properties: { n: { type: "INTEGER" } } },
      },
    ],
  ])("%s", (_name, partial, expected) => {
    expect(fromOpenAIRequest(req(partial), MODEL).generationConfig).toEqual(expected);
  });
});
