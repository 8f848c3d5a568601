import { describe, expect, it } from "vitest";
import { fastChunk, fastCompletion } from "../../../../src/formats/openai/chunk-fast-path";
import { chunkSchema, completionSchema } from "../../../../src/formats/openai/upstream-response";
import {
  openaiCompletionJson,
  openaiTextStreamEvents,
  openaiToolCallCompletionJson,
  openaiToolStreamEvents,
} from "../../../fixtures/transcripts/openai-chat";

describe("fastChunk (per-chunk fast path)", () => {
  const fixtures = [...openaiTextStreamEvents, ...openaiToolStreamEvents].map((e) => JSON.parse(e) as unknown);

  it.each(fixtures.map((f, i) => [i, f]))("accepts documented chunk %i exactly as the schema parses it", (_i, json) => {
    const fast = fastChunk(structuredClone(json));
    expect(fast).toBeDefined();
    expect(fast).toEqual(chunkSchema.parse(structuredClone(json)));
  });

  const base = { id: "c", object: "chat.completion.chunk", created: 1, model: "m" };
  it.each([
    ["role null (schema normalises)", { ...base, choices: [{ index: 0, delta: { role: null }, finish_reason: null }] }],
    ["missing finish_reason (schema defaults it)", { ...base, choices: [{ index: 0, delta: { content: "x" } }] }],
    ["unknown finish reason", { ...base, choices: [{ index: 0, delta: {}, finish_reason: "eos" }] }],
    ["negative index", { ...base, choices: [{ index: -1, delta: {}, finish_reason: null }] }],
    ["usage without total", { ...base, choices: [], usage: { prompt_tokens: 1, completion_tokens: 2 } }],
    [
      "fractional usage",
      { ...base, choices: [], usage: { prompt_tokens: 1.5, completion_tokens: 2, total_tokens: 3 } },
    ],
    ["missing id", { object: "chat.completion.chunk", created: 1, model: "m", choices: [] }],
    ["an error object", { ...base, choices: [], error: { message: "x" } }],
    [
      "tool call without index",
      { ...base, choices: [{ index: 0, delta: { tool_calls: [{ id: "t" }] }, finish_reason: null }] },
    ],
    ["content not a string", { ...base, choices: [{ index: 0, delta: { content: 5 }, finish_reason: null }] }],
  ])("defers to the schema for %s", (_label, json) => {
    expect(fastChunk(json)).toBeUndefined();
  });
});

describe("fastCompletion (non-streamed fast path)", () => {
  const fixtures = [openaiCompletionJson, openaiToolCallCompletionJson].map((t) => JSON.parse(t) as unknown);

  it.each(fixtures.map((f, i) => [i, f]))(
    "accepts documented completion %i exactly as the schema parses it",
    (_i, json) => {
      const fast = fastCompletion(structuredClone(json));
      expect(fast).toBeDefined();
      expect(fast).toEqual(completionSchema.parse(structuredClone(json)));
    },
  );

  const base = { id: "c", object: "chat.completion", created: 1, model: "m" };
  const msg = { role: "assistant", content: "hi" };
  it.each([
    ["usage null", { ...base, choices: [{ index: 0, message: msg, finish_reason: "stop" }], usage: null }],
    [
      "tool_calls null",
      { ...base, choices: [{ index: 0, message: { ...msg, tool_calls: null }, finish_reason: "stop" }] },
    ],
    ["content missing", { ...base, choices: [{ index: 0, message: { role: "assistant" }, finish_reason: "stop" }] }],
    ["wrong role", { ...base, choices: [{ index: 0, message: { ...msg, role: "user" }, finish_reason: "stop" }] }],
    [
      "tool call without type",
      {
        ...base,
        choices: [
          {
            index: 0,
            message: { ...msg, tool_calls: [{ id: "t", function: { name: "f", arguments: "{}" } }] },
            finish_reason: "tool_calls",
          },
        ],
      },
    ],
    ["negative usage", { ...base, choices: [], usage: { prompt_tokens: -1, completion_tokens: 2, total_tokens: 1 } }],
  ])("defers to the schema for %s", (_label, json) => {
    expect(fastCompletion(json)).toBeUndefined();
  });
});
