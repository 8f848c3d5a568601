import { describe, expect, it } from "vitest";
import type { ChatRequest, EmbeddingsRequest } from "../../../src/canonical/chat";
import { textTokenWeight, tokensOf } from "../../../src/routing/text-tokens";
import { estimateEmbeddingsTokens, estimatePromptTokens } from "../../../src/routing/token-estimate";

const x = (n: number) => "x".repeat(n);
const tool = {
  type: "function" as const,
  function: { name: "get_weather", description: "Weather", parameters: { type: "object" } },
};
const toolWeight = textTokenWeight(JSON.stringify(tool.function));

describe("estimatePromptTokens", () => {
  describe.each<[string, Pick<ChatRequest, "messages" | "tools">, number]>([
    // 3 per request + 4 per message + ceil(script-aware weight): a Latin letter weighs 0.2 tokens
    ["no messages", { messages: [] }, 3],
    ["empty message", { messages: [{ role: "user", content: "" }] }, 7],
    ["null content", { messages: [{ role: "assistant", content: null }] }, 7],
    ["4 letters = 1 token", { messages: [{ role: "user", content: "abcd" }] }, 8],
    ["6 letters round up", { messages: [{ role: "user", content: "abcdef" }] }, 9],
    [
      "chars summed across messages before rounding",
      {
        messages: [
          { role: "system", content: x(2) },
          { role: "user", content: x(2) },
        ],
      },
      12,
    ],
    ["400 letters", { messages: [{ role: "user", content: x(400) }] }, 87],
    ["100 Chinese characters (0.7 each)", { messages: [{ role: "user", content: "网".repeat(100) }] }, 77],
    ["100 Thai characters (0.39 each)", { messages: [{ role: "user", content: "ก".repeat(100) }] }, 46],
    ["10 emoji (1.6 each)", { messages: [{ role: "user", content: "🎉".repeat(10) }] }, 23],
    [
      "text parts",
      {
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: x(40) },
              { type: "text", text: x(40) },
            ],
          },
        ],
      },
      23,
    ],
    [
      "image at default detail",
      { messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://i" } }] }] },
      772,
    ],
    [
      "image at low detail",
      { messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "u", detail: "low" } }] }] },
      92,
    ],
    [
      "other media part",
      { messages: [{ role: "user", content: [{ type: "input_audio", input_audio: { data: x(100_000) } }] }] },
      772,
    ],
    ["refusal part", { messages: [{ role: "assistant", content: [{ type: "refusal", refusal: x(8) }] }] }, 9],
    ["message name", { messages: [{ role: "user", name: x(8), content: x(8) }] }, 11],
    [
      "tool-call names and arguments",
      {
        messages: [
          {
            role: "assistant",
            content: null,
            tool_calls: [{ id: "c", type: "function", function: { name: x(4), arguments: x(12) } }],
          },
        ],
      },
      11,
    ],
    ["tool message", { messages: [{ role: "tool", tool_call_id: "c", content: x(16) }] }, 11],
    ["tool definitions", { messages: [], tools: [tool, tool] }, 3 + tokensOf(2 * toolWeight)],
  ])("%s", (_name, req, expected) => {
    it(`is ${expected}`, () => {
      expect(estimatePromptTokens({ model: "m", ...req })).toBe(expected);
    });
  });

  it("counts a json_schema response format", () => {
    const base: ChatRequest = { model: "m", messages: [] };
    const schema = { name: "s", schema: { type: "object", properties: { a: { type: "string" } } } };
    const withSchema = estimatePromptTokens({ ...base, response_format: { type: "json_schema", json_schema: schema } });
    expect(withSchema).toBe(3 + tokensOf(textTokenWeight(JSON.stringify(schema))));
  });

  it("grows with the prompt and ignores sampling parameters", () => {
    const short = estimatePromptTokens({ model: "m", messages: [{ role: "user", content: x(100) }] });
    const long = estimatePromptTokens({
      model: "m",
      messages: [{ role: "user", content: x(1000) }],
      temperature: 0.2,
      n: 3,
    });
    expect(long - short).toBe(180);
  });
});

describe("estimateEmbeddingsTokens", () => {
  describe.each<[string, EmbeddingsRequest["input"], number]>([
    ["string", x(10), 2],
    ["strings", [x(4), x(6)], 3],
    ["token array is exact", [1, 2, 3], 3],
    ["token arrays are exact", [[1, 2], [3]], 3],
    ["empty", [], 0],
  ])("%s", (_name, inputValue, expected) => {
    it(`is ${expected}`, () => {
      expect(estimateEmbeddingsTokens({ model: "e", input: inputValue })).toBe(expected);
    });
  });
});
