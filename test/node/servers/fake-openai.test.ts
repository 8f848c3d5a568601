import type OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cosine } from "../../../local/embeddings";
import { countTokens, type FakeUpstream, startFakeUpstream } from "../../servers/fake-upstream";
import { openAiClient, userChat } from "./helpers";

let fake: FakeUpstream;
let client: OpenAI;

beforeAll(async () => {
  fake = await startFakeUpstream();
  client = openAiClient(`${fake.url}/v1`);
});
afterAll(() => fake.close());

const TOOLS = [
  { type: "function" as const, function: { name: "search_docs", parameters: { type: "object" } } },
  { type: "function" as const, function: { name: "other_tool", parameters: { type: "object" } } },
];

describe("fake upstream, OpenAI wire format, through the official SDK", () => {
  it("answers a chat completion with deterministic text and its own word count as usage", async () => {
    const res = await client.chat.completions.create(userChat("what is the capital of France"));
    const text = res.choices[0]?.message.content ?? "";
    expect(res.object).toBe("chat.completion");
    expect(res.model).toBe("fake-small");
    expect(text).toBe("echo: what is the capital lorem ipsum dolor");
    expect(res.choices[0]?.finish_reason).toBe("stop");
    expect(res.usage).toEqual({ prompt_tokens: 6, completion_tokens: countTokens(text), total_tokens: 14 });
  });

  it("caps the answer at max_tokens (and max_completion_tokens) with finish_reason length", async () => {
    const a = await client.chat.completions.create({ ...userChat("one two three"), max_tokens: 3 });
    expect(a.choices[0]?.message.content).toBe("echo: one two");
    expect(a.choices[0]?.finish_reason).toBe("length");
    expect(a.usage?.completion_tokens).toBe(3);
    const b = await client.chat.completions.create({ ...userChat("one two three"), max_completion_tokens: 2 });
    expect(b.choices[0]?.finish_reason).toBe("length");
    expect(b.usage?.completion_tokens).toBe(2);
  });

  it("streams role, content deltas, finish chunk and a usage chunk with empty choices", async () => {
    const stream = await client.chat.completions.create({
      ...userChat("stream me please"),
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]?.choices[0]?.delta.role).toBe("assistant");
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe("echo: stream me please lorem ipsum dolor sit");
    const finish = chunks.find((c) => c.choices[0]?.finish_reason != null);
    expect(finish?.choices[0]?.finish_reason).toBe("stop");
    const last = chunks[chunks.length - 1];
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toEqual({ prompt_tokens: 3, completion_tokens: 8, total_tokens: 11 });
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
  });

  it("sends no usage in a stream unless include_usage is asked for", async () => {
    const stream = await client.chat.completions.create({ ...userChat("hi"), stream: true });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.some((c) => c.usage != null)).toBe(false);
    expect(chunks.every((c) => c.choices.length === 1)).toBe(true);
  });

  it("calls the first tool with the last user text as JSON arguments", async () => {
    const res = await client.chat.completions.create({ ...userChat('find "quoted" docs'), tools: TOOLS });
    const call = res.choices[0]?.message.tool_calls?.[0];
    expect(res.choices[0]?.finish_reason).toBe("tool_calls");
    expect(call?.type).toBe("function");
    if (call?.type !== "function") throw new Error("expected a function call");
    expect(call.function.name).toBe("search_docs");
    expect(JSON.parse(call.function.arguments)).toEqual({ query: 'find "quoted" docs' });
    expect(res.usage?.completion_tokens).toBe(countTokens(call.function.arguments));
  });

  it("streams a tool call as id/name then argument deltas that the SDK accumulates", async () => {
    const stream = client.chat.completions.stream({ ...userChat("look this up for me"), tools: TOOLS });
    const final = await stream.finalChatCompletion();
    const call = final.choices[0]?.message.tool_calls?.[0];
    expect(final.choices[0]?.finish_reason).toBe("tool_calls");
    if (call?.type !== "function") throw new Error("expected a function call");
    expect(call.function.name).toBe("search_docs");
    expect(JSON.parse(call.function.arguments)).toEqual({ query: "look this up for me" });
  });

  it("acknowledges a tool result instead of calling the tool again", async () => {
    const RESULT = "The answer is forty-two, according to the guide.";
    const res = await client.chat.completions.create({
      model: "fake-small",
      tools: TOOLS,
      messages: [
        { role: "user", content: "look it up" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "call_1", type: "function", function: { name: "search_docs", arguments: "{}" } }],
        },
        { role: "tool", tool_call_id: "call_1", content: RESULT },
      ],
    });
    expect(res.choices[0]?.finish_reason).toBe("stop");
    expect(res.choices[0]?.message.content).toBe(`tool result received: ${RESULT.slice(0, 40)}`);
  });

  it("honours tool_choice none", async () => {
    const res = await client.chat.completions.create({ ...userChat("hi"), tools: TOOLS, tool_choice: "none" });
    expect(res.choices[0]?.message.tool_calls).toBeUndefined();
    expect(res.choices[0]?.finish_reason).toBe("stop");
  });

  it("serves embeddings in base64 (the SDK default) and float, with a word-count usage", async () => {
    const input = ["the cat sat on the mat", "the cat sat on a mat", "quarterly revenue grew"];
    const b64 = await client.embeddings.create({ model: "fake-embed", input });
    const floats = await client.embeddings.create({ model: "fake-embed", input, encoding_format: "float" });
    expect(b64.data).toHaveLength(3);
    expect(b64.usage.prompt_tokens).toBe(15);
    const [a, b, c] = floats.data.map((d) => d.embedding);
    if (!a || !b || !c) throw new Error("missing embeddings");
    expect(a).toHaveLength(256);
    expect(Array.from(b64.data[0]?.embedding ?? [])[5]).toBeCloseTo(a[5] ?? Number.NaN, 6);
    expect(cosine(a, b)).toBeGreaterThan(cosine(a, c));
  });

  it("lists models", async () => {
    const page = await client.models.list();
    expect(page.data.map((m) => m.id)).toContain("fake-small");
  });

  it("returns OpenAI-shaped 400s that the SDK surfaces as BadRequestError", async () => {
    const err = await client.chat.completions.create({ model: "fake-small", messages: [] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ status: 400, error: { type: "invalid_request_error" } });
  });
});
