import { describe, expect, it } from "vitest";
import { chatRequestSchema } from "../../../../src/formats/openai/client-request";
import { fastChatRequest } from "../../../../src/formats/openai/client-request-fast";

const base = { model: "small", messages: [{ role: "user", content: "Hi" }] };
const withBody = (extra: Record<string, unknown>) => ({ ...base, ...extra });
const withMessage = (message: Record<string, unknown>) => ({ ...base, messages: [message] });

/** The fast path's promise: whatever it accepts, the schema accepts too and parses to the same value. */
function expectSameAsSchema(body: unknown): void {
  const fast = fastChatRequest(structuredClone(body));
  expect(fast).toBeDefined();
  const schema = chatRequestSchema.safeParse(structuredClone(body));
  expect(schema.success).toBe(true);
  expect(fast).toStrictEqual(schema.data);
}

describe("fastChatRequest accepts the common shapes exactly as the schema parses them", () => {
  it.each<[string, unknown]>([
    ["a minimal request", base],
    ["a streamed request with usage", withBody({ stream: true, stream_options: { include_usage: true } })],
    [
      "every scalar option at a valid value",
      withBody({
        stream: false,
        stream_options: null,
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
        parallel_tool_calls: false,
        user: "user-123",
      }),
    ],
    ["nulls the schema keeps as null", withBody({ temperature: null, max_tokens: null, stop: null, seed: null })],
    ["a string stop", withBody({ stop: "\n" })],
    [
      "a text conversation with every role",
      {
        model: "m",
        messages: [
          { role: "system", content: "Be brief.", name: "sys" },
          { role: "developer", content: "Use French." },
          { role: "user", name: "ann", content: "What is this?" },
          { role: "assistant", content: "Un chat." },
          { role: "tool", tool_call_id: "call_1", content: "a cat" },
        ],
      },
    ],
    [
      "unknown top-level and message fields (passed through)",
      {
        model: "m",
        messages: [{ role: "user", content: "hi", x_meta: { a: 1 } }],
        logit_bias: { "50256": -100 },
        reasoning_effort: "low",
        metadata: { run: "7" },
        top_k: 40,
        constructor: 1,
        hasOwnProperty: "x",
      },
    ],
  ])("%s", (_, body) => expectSameAsSchema(body));
});

describe("fastChatRequest leaves to the schema", () => {
  it.each<[string, unknown]>([
    ["a non-object body", "hello"],
    ["an array body", [base]],
    ["a missing model", { messages: base.messages }],
    ["an empty model", withBody({ model: "" })],
    ["a numeric model", withBody({ model: 5 })],
    ["empty messages", withBody({ messages: [] })],
    ["messages not an array", withBody({ messages: {} })],
    ["an unknown role", withMessage({ role: "function", content: "x" })],
    ["a message without role", withMessage({ content: "x" })],
    ["content parts", withMessage({ role: "user", content: [{ type: "text", text: "hi" }] })],
    ["a null content", withMessage({ role: "user", content: null })],
    ["an empty name", withMessage({ role: "user", content: "x", name: "" })],
    ["a tool message without tool_call_id", withMessage({ role: "tool", content: "r" })],
    [
      "an assistant message with tool calls",
      withMessage({
        role: "assistant",
        content: "x",
        tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{}" } }],
      }),
    ],
    ["stream null (the schema drops it)", withBody({ stream: null })],
    ["user null (the schema drops it)", withBody({ user: null })],
    ["stream as a string", withBody({ stream: "yes" })],
    ["include_usage as a string", withBody({ stream_options: { include_usage: "true" } })],
    ["max_tokens 0", withBody({ max_tokens: 0 })],
    ["a fractional max_completion_tokens", withBody({ max_completion_tokens: 1.5 })],
    ["temperature above 2", withBody({ temperature: 2.01 })],
    ["top_p above 1", withBody({ top_p: 1.5 })],
    ["n above 128", withBody({ n: 129 })],
    ["five stop sequences", withBody({ stop: ["a", "b", "c", "d", "e"] })],
    ["a non-string stop entry", withBody({ stop: ["a", 1] })],
    ["an unsafe seed", withBody({ seed: 2 ** 60 })],
    ["top_logprobs above 20", withBody({ top_logprobs: 21 })],
    ["presence_penalty below -2", withBody({ presence_penalty: -3 })],
    ["tools", withBody({ tools: [{ type: "function", function: { name: "f" } }] })],
    ["tools null", withBody({ tools: null })],
    ["tool_choice", withBody({ tool_choice: "auto" })],
    ["response_format", withBody({ response_format: { type: "json_object" } })],
    ["a __proto__ key", JSON.parse('{"model":"m","messages":[{"role":"user","content":"x"}],"__proto__":{"a":1}}')],
    ["a __proto__ message key", JSON.parse('{"model":"m","messages":[{"role":"user","content":"x","__proto__":{}}]}')],
  ])("%s", (_, body) => {
    expect(fastChatRequest(body)).toBeUndefined();
  });
});
