/** Anthropic request → canonical → Anthropic request must give the client's request back. */
import { describe, expect, it } from "vitest";
import { anthropicToCanonical } from "../../../../src/formats/anthropic/client-request";
import { parseAnthropicRequest } from "../../../../src/formats/anthropic/request-schema";
import { canonicalToAnthropicRequest } from "../../../../src/formats/anthropic/upstream-request";

const cases: { name: string; req: Record<string, unknown> }[] = [
  { name: "minimal", req: { messages: [{ role: "user", content: "Hello" }] } },
  {
    name: "system string, sampling, stop, user",
    req: {
      system: "You are terse.",
      messages: [{ role: "user", content: "Hello" }],
      temperature: 0.3,
      top_p: 0.9,
      top_k: 20,
      stop_sequences: ["###"],
      metadata: { user_id: "user-1" },
    },
  },
  {
    name: "system blocks and multi-part content with images",
    req: {
      system: [
        { type: "text", text: "Rule A" },
        { type: "text", text: "Rule B" },
      ],
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What differs?" },
            { type: "image", source: { type: "base64", media_type: "image/gif", data: "R0lGODlhAQABAAAAACw=" } },
            { type: "image", source: { type: "url", url: "https://example.com/two.png" } },
          ],
        },
        { role: "assistant", content: "The colour." },
        { role: "user", content: [{ type: "text", text: "Sure?" }] },
      ],
    },
  },
  {
    name: "tools, tool_use and tool_result (text and image results)",
    req: {
      messages: [
        { role: "user", content: "Forecast and radar for Oslo?" },
        {
          role: "assistant",
          content: [
            { type: "text", text: "Fetching both." },
            { type: "tool_use", id: "toolu_01", name: "forecast", input: { city: "Oslo", days: 2 } },
            { type: "tool_use", id: "toolu_02", name: "radar", input: { city: "Oslo" } },
          ],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "toolu_01", content: "Rain" },
            {
              type: "tool_result",
              tool_use_id: "toolu_02",
              content: [
                { type: "text", text: "Radar:" },
                { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
              ],
            },
            { type: "tool_result", tool_use_id: "toolu_03" },
            { type: "text", text: "Summarise." },
          ],
        },
        { role: "assistant", content: [{ type: "tool_use", id: "toolu_04", name: "radar", input: {} }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_04", content: "Clear" }] },
      ],
      tools: [
        {
          name: "forecast",
          description: "Forecast",
          input_schema: {
            type: "object",
            properties: { city: { type: "string" }, days: { type: "integer" } },
            required: ["city"],
          },
        },
        { name: "radar", input_schema: { type: "object", properties: { city: { type: "string" } } } },
      ],
      tool_choice: { type: "tool", name: "forecast", disable_parallel_tool_use: true },
    },
  },
  ...[{ type: "auto" }, { type: "any" }, { type: "none" }, { type: "any", disable_parallel_tool_use: true }].map(
    (tool_choice) => ({
      name: `tool_choice ${JSON.stringify(tool_choice)}`,
      req: {
        messages: [{ role: "user", content: "Go" }],
        tools: [{ name: "t", input_schema: { type: "object" } }],
        tool_choice,
      },
    }),
  ),
];

describe("Anthropic → canonical → Anthropic", () => {
  it.each(cases)("$name", ({ req }) => {
    const original = { model: "claude-sonnet-4-5", max_tokens: 300, ...req };
    const parsed = parseAnthropicRequest(original);
    if (!parsed.ok) throw new Error(parsed.message);
    const back = canonicalToAnthropicRequest(anthropicToCanonical(parsed.value), "claude-sonnet-4-5", {
      defaultMaxTokens: 1,
    });
    expect(back).toEqual({ ok: true, value: original });
  });
});
