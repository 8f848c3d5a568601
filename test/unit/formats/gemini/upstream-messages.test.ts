import { describe, expect, it } from "vitest";
import type { ChatRequest } from "../../../../src/canonical/chat";
import { GatewayError } from "../../../../src/errors";
import { fromOpenAIRequest, requiresThoughtSignatures } from "../../../../src/formats/gemini/upstream-request";

const MODEL = { model: "gemini-2.5-flash" };

function req(partial: Partial<ChatRequest>): ChatRequest {
  return { model: "alias", messages: [{ role: "user", content: "hi" }], ...partial };
}

describe("fromOpenAIRequest: messages", () => {
  it.each<[string, ChatRequest["messages"], unknown]>([
    [
      "system and developer → systemInstruction, user → user",
      [
        { role: "system", content: "Be brief." },
        { role: "developer", content: [{ type: "text", text: "Use French." }] },
        { role: "user", content: "Hello" },
      ],
      {
        systemInstruction: { parts: [{ text: "Be brief." }, { text: "Use French." }] },
        contents: [{ role: "user", parts: [{ text: "Hello" }] }],
      },
    ],
    [
      "multi-turn: assistant → model, consecutive same-role turns merged",
      [
        { role: "user", content: "One" },
        { role: "user", content: [{ type: "text", text: "Two" }] },
        { role: "assistant", content: "Three" },
        { role: "user", content: "Four" },
      ],
      {
        contents: [
          { role: "user", parts: [{ text: "One" }, { text: "Two" }] },
          { role: "model", parts: [{ text: "Three" }] },
          { role: "user", parts: [{ text: "Four" }] },
        ],
      },
    ],
    [
      "images: data URL → inlineData, https URL → fileData with MIME from the extension",
      [
        {
          role: "user",
          content: [
            { type: "text", text: "Compare" },
            { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
            { type: "image_url", image_url: { url: "https://example.com/cats/photo.JPG?w=200", detail: "high" } },
          ],
        },
      ],
      {
        contents: [
          {
            role: "user",
            parts: [
              { text: "Compare" },
              { inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } },
              { fileData: { fileUri: "https://example.com/cats/photo.JPG?w=200", mimeType: "image/jpeg" } },
            ],
          },
        ],
      },
    ],
    [
      "audio and file parts → inlineData",
      [
        {
          role: "user",
          content: [
            { type: "input_audio", input_audio: { data: "UklGRg==", format: "wav" } },
            { type: "file", file: { file_data: "data:application/pdf;base64,JVBERi0=", filename: "a.pdf" } },
          ],
        },
      ],
      {
        contents: [
          {
            role: "user",
            parts: [
              { inlineData: { mimeType: "audio/wav", data: "UklGRg==" } },
              { inlineData: { mimeType: "application/pdf", data: "JVBERi0=" } },
            ],
          },
        ],
      },
    ],
    [
      "tool calls → functionCall; parallel tool results → one user turn of functionResponse",
      [
        { role: "user", content: "Weather and time in Paris?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: "call_0", type: "function", function: { name: "get_weather", arguments: '{"location":"Paris"}' } },
            { id: "call_1", type: "function", function: { name: "get_time", arguments: "" } },
          ],
        },
        { role: "tool", tool_call_id: "call_0", content: '{"temp":21}' },
        { role: "tool", tool_call_id: "call_1", content: [{ type: "text", text: "14:05" }] },
      ],
      {
        contents: [
          { role: "user", parts: [{ text: "Weather and time in Paris?" }] },
          {
            role: "model",
            parts: [
              { functionCall: { name: "get_weather", args: { location: "Paris" } } },
              { functionCall: { name: "get_time", args: {} } },
            ],
          },
          {
            role: "user",
            parts: [
              { functionResponse: { name: "get_weather", response: { temp: 21 } } },
              { functionResponse: { name: "get_time", response: { content: "14:05" } } },
            ],
          },
        ],
      },
    ],
  ])("%s", (_name, messages, expected) => {
    expect(fromOpenAIRequest(req({ messages }), MODEL)).toEqual(expected);
  });

  it("resolves a reused tool call id to the latest call that used it", () => {
    const call = (name: string) => ({ id: "call_0", type: "function" as const, function: { name, arguments: "{}" } });
    const body = fromOpenAIRequest(
      req({
        messages: [
          { role: "user", content: "a" },
          { role: "assistant", tool_calls: [call("first")] },
          { role: "tool", tool_call_id: "call_0", content: "1" },
          { role: "assistant", tool_calls: [call("second")] },
          { role: "tool", tool_call_id: "call_0", content: "[1,2]" },
        ],
      }),
      MODEL,
    );
    expect(body.contents.at(-1)).toEqual({
      role: "user",
      parts: [{ functionResponse: { name: "second", response: { content: "[1,2]" } } }],
    });
  });

  it("echoes thought signatures, and stands in Google's dummy for Gemini 3+ when none is known", () => {
    const messages: ChatRequest["messages"] = [
      { role: "user", content: "a" },
      {
        role: "assistant",
        tool_calls: [
          {
            id: "call_0",
            type: "function",
            function: { name: "f", arguments: "{}" },
            extra_content: { google: { thought_signature: "c2ln" } },
          } as never,
        ],
      },
      { role: "tool", tool_call_id: "call_0", content: "ok" },
      {
        role: "assistant",
        tool_calls: [
          { id: "x", type: "function", function: { name: "g", arguments: "{}" } },
          { id: "y", type: "function", function: { name: "h", arguments: "{}" } },
        ],
      },
    ];
    const v3 = fromOpenAIRequest(req({ messages }), { model: "gemini-3-pro-preview" });
    expect(v3.contents[1]?.parts).toEqual([{ functionCall: { name: "f", args: {} }, thoughtSignature: "c2ln" }]);
    expect(v3.contents[3]?.parts).toEqual([
      { functionCall: { name: "g", args: {} }, thoughtSignature: "skip_thought_signature_validator" },
      { functionCall: { name: "h", args: {} } },
    ]);
    const v25 = fromOpenAIRequest(req({ messages }), { model: "gemini-2.5-pro" });
    expect(v25.contents[3]?.parts).toEqual([
      { functionCall: { name: "g", args: {} } },
      { functionCall: { name: "h", args: {} } },
    ]);
  });

  it.each([
    ["gemini-3-flash-preview", true],
    ["models/gemini-3.1-pro-preview", true],
    ["gemini-10-ultra", true],
    ["gemini-2.5-flash", false],
    ["gemini-1.5-pro", false],
    ["gemma-3-27b-it", false],
  ])("requiresThoughtSignatures(%s) = %s", (model, expected) => {
    expect(requiresThoughtSignatures(model)).toBe(expected);
  });

  it.each<[string, ChatRequest["messages"], string, string]>([
    [
      "image URL without a known extension",
      [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://img.example.com/abc?id=1" } }] }],
      "unsupported_parameter",
      "messages.0.content.0.image_url.url",
    ],
    [
      "unknown content part",
      [{ role: "user", content: [{ type: "video_url", video_url: "x" }] }],
      "unsupported_parameter",
      "messages.0.content.0.type",
    ],
    [
      "image in a system message",
      [{ role: "system", content: [{ type: "image_url", image_url: { url: "data:image/png;base64,AA==" } }] }],
      "unsupported_parameter",
      "messages.0.content.0.type",
    ],
    [
      "tool result for an unknown call",
      [{ role: "tool", tool_call_id: "nope", content: "1" }],
      "invalid_request",
      "messages.0.tool_call_id",
    ],
    [
      "tool arguments that are not JSON",
      [{ role: "assistant", tool_calls: [{ id: "a", type: "function", function: { name: "f", arguments: "{oops" } }] }],
      "invalid_request",
      "messages.0.tool_calls.0.function.arguments",
    ],
    [
      "tool arguments that are a JSON array",
      [{ role: "assistant", tool_calls: [{ id: "a", type: "function", function: { name: "f", arguments: "[1]" } }] }],
      "unsupported_parameter",
      "messages.0.tool_calls.0.function.arguments",
    ],
    [
      "a legacy function_call",
      [{ role: "assistant", content: null, function_call: { name: "f", arguments: "{}" } }],
      "unsupported_parameter",
      "messages.0.function_call",
    ],
  ])("refuses %s, naming the field", (_name, messages, code, param) => {
    const run = () => fromOpenAIRequest(req({ messages }), MODEL);
    expect(run).toThrow(GatewayError);
    try {
      run();
    } catch (err) {
      expect(err).toMatchObject({ code, param });
    }
  });
});
