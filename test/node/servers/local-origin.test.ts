import type OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cosine } from "../../../local/embeddings";
import { type LocalOrigin, startLocalOrigin } from "../../../local/origin";
import { countTokens } from "../../../local/words";
import { collectSse, jsonData, openAiClient, postJson } from "./helpers";

let origin: LocalOrigin;
let client: OpenAI;

beforeAll(async () => {
  origin = await startLocalOrigin({ chunkDelayMs: 0 });
  client = openAiClient(`${origin.url}/v1`);
});
afterAll(() => origin.close());

const ask = (model: string, text: string) => ({ model, messages: [{ role: "user" as const, content: text }] });
const TOOLS = [{ type: "function" as const, function: { name: "kb_search", parameters: { type: "object" } } }];

describe("local origin: health and models", () => {
  it("reports health and lists its three models", async () => {
    const health = await fetch(`${origin.url}/health`);
    expect(await health.json()).toEqual({
      status: "ok",
      service: "local-origin",
      models: ["local-small", "local-large", "local-embed"],
    });
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(["local-small", "local-large", "local-embed"]);
  });

  it("refuses unknown models and the wrong kind of model", async () => {
    expect(await client.chat.completions.create(ask("gpt-4o", "x")).catch((e: unknown) => e)).toMatchObject({
      status: 404,
    });
    expect(await client.chat.completions.create(ask("local-embed", "x")).catch((e: unknown) => e)).toMatchObject({
      status: 400,
    });
    const wrong = await client.embeddings.create({ model: "local-small", input: "x" }).catch((e: unknown) => e);
    expect(wrong).toMatchObject({ status: 400 });
    expect((await fetch(`${origin.url}/v1/nothing`)).status).toBe(404);
  });
});

describe("local origin: chat", () => {
  it("answers with an honest, labelled, deterministic text that summarises the prompt", async () => {
    const a = await client.chat.completions.create(ask("local-small", "Plan a three day trip to Lisbon"));
    const b = await client.chat.completions.create(ask("local-small", "Plan a three day trip to Lisbon"));
    const text = a.choices[0]?.message.content ?? "";
    expect(text.startsWith("[local origin · local-small] ")).toBe(true);
    expect(text).toContain("stand-in for a team's GPU cluster");
    expect(text).toContain("no model ran");
    expect(text).toContain('had 7 words and began: "Plan a three day trip to Lisbon"');
    expect(b.choices[0]?.message.content).toBe(text);
    expect(a.choices[0]?.finish_reason).toBe("stop");
    expect(a.usage).toEqual({
      prompt_tokens: 7,
      completion_tokens: countTokens(text),
      total_tokens: 7 + countTokens(text),
    });
  });

  it("labels local-large differently and says more by default", async () => {
    const small = await client.chat.completions.create(ask("local-small", "hello"));
    const large = await client.chat.completions.create(ask("local-large", "hello"));
    expect(large.choices[0]?.message.content?.startsWith("[local origin · local-large]")).toBe(true);
    expect(large.usage?.completion_tokens ?? 0).toBeGreaterThan(small.usage?.completion_tokens ?? 0);
  });

  it("honours max_tokens with finish_reason length", async () => {
    const res = await client.chat.completions.create({ ...ask("local-large", "hello"), max_tokens: 5 });
    expect(res.choices[0]?.message.content).toBe("[local origin · local-large] This");
    expect(res.choices[0]?.finish_reason).toBe("length");
    expect(res.usage?.completion_tokens).toBe(5);
  });

  it("streams the same text with a usage chunk when include_usage is set", async () => {
    const json = await client.chat.completions.create(ask("local-small", "stream please"));
    const stream = await client.chat.completions.create({
      ...ask("local-small", "stream please"),
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe(json.choices[0]?.message.content);
    const last = chunks[chunks.length - 1];
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toEqual(json.usage);
  });

  it("ends its raw stream with data: [DONE]", async () => {
    const res = await postJson(`${origin.url}/v1/chat/completions`, { ...ask("local-small", "x"), stream: true });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const { events, error } = await collectSse(res);
    expect(error).toBeUndefined();
    expect(events[events.length - 1]?.data).toBe("[DONE]");
    expect(jsonData(events).length).toBeGreaterThan(10);
  });

  it("calls the first tool deterministically, streamed or not", async () => {
    const res = await client.chat.completions.create({ ...ask("local-small", "find the refund policy"), tools: TOOLS });
    const call = res.choices[0]?.message.tool_calls?.[0];
    expect(res.choices[0]?.finish_reason).toBe("tool_calls");
    if (call?.type !== "function") throw new Error("expected a function call");
    expect(call.function.name).toBe("kb_search");
    expect(JSON.parse(call.function.arguments)).toEqual({ query: "find the refund policy" });

    const final = await client.chat.completions
      .stream({ ...ask("local-small", "find the refund policy"), tools: TOOLS })
      .finalChatCompletion();
    const streamed = final.choices[0]?.message.tool_calls?.[0];
    if (streamed?.type !== "function") throw new Error("expected a function call");
    expect(streamed.function.arguments).toBe(call.function.arguments);
  });

  it("acknowledges a tool result with its label", async () => {
    const res = await client.chat.completions.create({
      model: "local-small",
      tools: TOOLS,
      messages: [
        { role: "user", content: "find the refund policy" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "c1", type: "function", function: { name: "kb_search", arguments: "{}" } }],
        },
        { role: "tool", tool_call_id: "c1", content: "Refunds within 30 days." },
      ],
    });
    expect(res.choices[0]?.message.content).toBe(
      "[local origin · local-small] tool result received: Refunds within 30 days.",
    );
  });

  it("paces its stream by default so it is visible in a terminal", async () => {
    const paced = await startLocalOrigin();
    try {
      const res = await postJson(`${paced.url}/v1/chat/completions`, { ...ask("local-small", "x"), stream: true });
      const { events } = await collectSse(res);
      expect(events[events.length - 1]?.data).toBe("[DONE]");
    } finally {
      await paced.close();
    }
  });
});

describe("local origin: embeddings", () => {
  it("embeds with USE-lite: a near-duplicate scores higher than an unrelated sentence", async () => {
    const input = [
      "How do I reset my account password?",
      "how do i reset my password for my account",
      "The weather in Lisbon is sunny today",
    ];
    const res = await client.embeddings.create({ model: "local-embed", input, encoding_format: "float" });
    const [q, near, far] = res.data.map((d) => d.embedding);
    if (!q || !near || !far) throw new Error("missing embeddings");
    expect(q).toHaveLength(512);
    expect(cosine(q, near)).toBeGreaterThan(0.6);
    expect(cosine(q, near)).toBeGreaterThan(cosine(q, far) + 0.3);
    expect(res.usage).toEqual({ prompt_tokens: 23, total_tokens: 23 });
  });

  it("serves the SDK's default base64 encoding with the same values", async () => {
    const b64 = await client.embeddings.create({ model: "local-embed", input: "hello world" });
    const floats = await client.embeddings.create({
      model: "local-embed",
      input: "hello world",
      encoding_format: "float",
    });
    const a = Array.from(b64.data[0]?.embedding ?? []);
    const f = floats.data[0]?.embedding ?? [];
    expect(a).toHaveLength(512);
    for (const [i, v] of a.entries()) expect(v).toBeCloseTo(f[i] ?? Number.NaN, 6);
  });

  it("refuses token-array input it cannot decode", async () => {
    const res = await postJson(`${origin.url}/v1/embeddings`, { model: "local-embed", input: [[1, 2, 3]] });
    expect(res.status).toBe(400);
  });
});
