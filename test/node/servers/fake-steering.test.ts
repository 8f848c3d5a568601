import { randomUUID } from "node:crypto";
import type OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeUpstream, startFakeUpstream } from "../../servers/fake-upstream";
import { anthropicClient, collectSse, jsonData, openAiClient, postJson, userChat } from "./helpers";

let fake: FakeUpstream;
let openai: OpenAI;

beforeAll(async () => {
  fake = await startFakeUpstream();
  openai = openAiClient(`${fake.url}/v1`);
});
afterAll(() => fake.close());

const chatUrl = () => `${fake.url}/v1/chat/completions`;
const anthropicUrl = () => `${fake.url}/anthropic/v1/messages`;
const geminiUrl = (model: string, action = "generateContent") => `${fake.url}/gemini/v1beta/models/${model}:${action}`;
const streamChat = (text: string, model: string) => ({ ...userChat(text, model), stream: true as const });
const anthropicBody = (model: string, extra: Record<string, unknown> = {}) => ({
  model,
  max_tokens: 50,
  messages: [{ role: "user", content: "hello there" }],
  ...extra,
});
const geminiBody = { contents: [{ role: "user", parts: [{ text: "hello there" }] }] };

async function sdkError(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe("status", () => {
  it("answers the requested status with each provider's error body", async () => {
    const o = await postJson(chatUrl(), userChat("x", "fake-small;status=503"));
    expect(o.status).toBe(503);
    expect(await o.json()).toMatchObject({ error: { type: "server_error", message: expect.any(String) } });

    const a = await postJson(anthropicUrl(), anthropicBody("c;status=529"));
    expect(a.status).toBe(529);
    expect(await a.json()).toMatchObject({ type: "error", error: { type: "overloaded_error" } });

    const g = await postJson(geminiUrl("g;status=429"), geminiBody);
    expect(g.status).toBe(429);
    expect(g.headers.get("retry-after")).toBe("1");
    expect(await g.json()).toMatchObject({ error: { code: 429, status: "RESOURCE_EXHAUSTED" } });
  });

  it("reaches the SDKs as typed API errors", async () => {
    const o = await sdkError(openai.chat.completions.create(userChat("x", "fake-small;status=429")));
    expect(o).toMatchObject({ status: 429, error: { code: "rate_limit_exceeded" } });
    const a = await sdkError(
      anthropicClient(`${fake.url}/anthropic`).messages.create({
        model: "c;status=401",
        max_tokens: 5,
        messages: [{ role: "user", content: "x" }],
      }),
    );
    expect(a).toMatchObject({ status: 401, error: { type: "error", error: { type: "authentication_error" } } });
  });

  it("reads x-fake-* headers, and the model name's directives win over them", async () => {
    const byHeader = await postJson(chatUrl(), userChat("x"), { "x-fake-status": "500" });
    expect(byHeader.status).toBe(500);
    const both = await postJson(chatUrl(), userChat("x", "fake-small;status=404"), { "x-fake-status": "500" });
    expect(both.status).toBe(404);
    const hyphen = await postJson(chatUrl(), userChat("a b c"), { "x-fake-tokens": "2" });
    expect(((await hyphen.json()) as OpenAI.ChatCompletion).choices[0]?.message.content).toBe("echo: a");
  });

  it("refuses unknown directives and bad values with a 400", async () => {
    const unknown = await postJson(chatUrl(), userChat("x", "fake-small;stauts=503"));
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(await unknown.json())).toContain("stauts");
    const bad = await postJson(chatUrl(), userChat("x", "fake-small;tokens=lots"));
    expect(bad.status).toBe(400);
  });
});

describe("tokens and model name", () => {
  it("produces exactly `tokens` words and reports the model without its directives", async () => {
    const res = await openai.chat.completions.create(userChat("a b", "fake-large;tokens=20"));
    expect(res.model).toBe("fake-large");
    expect(res.choices[0]?.message.content?.split(" ")).toHaveLength(20);
    expect(res.usage?.completion_tokens).toBe(20);
  });

  it("reads directives from a Gemini model in the path, URL-encoded or not", async () => {
    const plain = await postJson(geminiUrl("g;tokens=3"), geminiBody);
    expect(((await plain.json()) as { modelVersion: string }).modelVersion).toBe("g");
    const encoded = await postJson(geminiUrl("g%3Bstatus%3D503"), geminiBody);
    expect(encoded.status).toBe(503);
    expect(await encoded.json()).toMatchObject({ error: { status: "UNAVAILABLE" } });
  });
});

describe("delay_ms and chunk_delay_ms", () => {
  it("holds the response headers back for delay_ms", async () => {
    const abort = new AbortController();
    const slow = fetch(chatUrl(), {
      method: "POST",
      body: JSON.stringify(userChat("x", "fake-small;delay_ms=5000")),
      signal: abort.signal,
    }).then(
      () => "answered",
      () => "aborted",
    );
    const outcome = await Promise.race([slow, new Promise((r) => setTimeout(r, 200, "waiting"))]);
    expect(outcome).toBe("waiting");
    abort.abort();
    expect(await slow).toBe("aborted");
    const quick = await postJson(chatUrl(), userChat("x", "fake-small;delay_ms=10"));
    expect(quick.status).toBe(200);
  });

  it("spaces SSE events by chunk_delay_ms", async () => {
    const res = await postJson(chatUrl(), streamChat("x", "fake-small;chunk_delay_ms=3000"));
    const reader = res.body?.getReader();
    if (!reader) throw new Error("no body");
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain('"role":"assistant"');
    const next = await Promise.race([
      reader.read().then(() => "chunk"),
      new Promise((r) => setTimeout(r, 200, "waiting")),
    ]);
    expect(next).toBe("waiting");
    await reader.cancel();
  });
});

describe("drop_after", () => {
  it("OpenAI: n content chunks, then a dead socket with no [DONE]", async () => {
    const res = await postJson(chatUrl(), streamChat("x", "fake-small;drop_after=3"));
    const { events, error } = await collectSse(res);
    expect(error).toBeDefined();
    const contents = jsonData(events).filter((c) => (c as OpenAI.ChatCompletionChunk).choices[0]?.delta.content);
    expect(contents).toHaveLength(3);
    expect(events.some((e) => e.data === "[DONE]")).toBe(false);

    const chunks: string[] = [];
    const sdkErr = await sdkError(
      (async () => {
        const stream = await openai.chat.completions.create(streamChat("x", "fake-small;drop_after=2"));
        for await (const c of stream) chunks.push(c.choices[0]?.delta.content ?? "");
      })(),
    );
    expect(sdkErr).toBeDefined();
    expect(chunks.join("")).toBe("echo: x");
  });

  it("Anthropic and Gemini: the stream ends without its final events", async () => {
    const a = await collectSse(await postJson(anthropicUrl(), anthropicBody("c;drop_after=2", { stream: true })));
    expect(a.error).toBeDefined();
    expect(a.events.filter((e) => e.event === "content_block_delta")).toHaveLength(2);
    expect(a.events.some((e) => e.event === "message_stop")).toBe(false);

    const g = await collectSse(
      await postJson(`${geminiUrl("g;drop_after=8", "streamGenerateContent")}?alt=sse`, geminiBody),
    );
    expect(g.error).toBeDefined();
    expect(g.events).toHaveLength(8);
    expect(g.events.some((e) => e.data.includes("finishReason"))).toBe(false);
  });

  it("cuts a non-streamed body in half", async () => {
    const res = await postJson(chatUrl(), userChat("x", "fake-small;drop_after=0")).catch((e: unknown) => e);
    const failed =
      res instanceof Response
        ? await res.json().then(
            () => false,
            () => true,
          )
        : true;
    expect(failed).toBe(true);
  });
});

describe("omit_usage", () => {
  it("drops usage from JSON and streams in every format", async () => {
    const o = await openai.chat.completions.create(userChat("x", "fake-small;omit_usage=1"));
    expect(o.usage).toBeUndefined();
    const stream = await openai.chat.completions.create({
      ...streamChat("x", "fake-small;omit_usage=1"),
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks.some((c) => c.usage != null || c.choices.length === 0)).toBe(false);

    const a = (await (await postJson(anthropicUrl(), anthropicBody("c;omit_usage=1"))).json()) as object;
    expect(a).not.toHaveProperty("usage");
    const as = await collectSse(await postJson(anthropicUrl(), anthropicBody("c;omit_usage=1", { stream: true })));
    expect(as.events.some((e) => e.data.includes("usage"))).toBe(false);

    const g = (await (await postJson(geminiUrl("g;omit_usage=1"), geminiBody)).json()) as object;
    expect(g).not.toHaveProperty("usageMetadata");
  });
});

describe("split", () => {
  const text = "héllo wörld ✓ 日本語";

  it("writes SSE in tiny pieces with CRLF line endings that parse to the same events", async () => {
    const plain = await collectSse(await postJson(chatUrl(), streamChat(text, "fake-small")));
    const res = await postJson(chatUrl(), streamChat(text, "fake-small;split=1"));
    const raw = await res.text();
    expect(raw).toContain("\r\n");
    expect(raw).toContain("data: [DONE]");
    const reparsed = await collectSse(new Response(raw));
    const strip = (evs: typeof plain.events) => jsonData(evs).map((c) => (c as OpenAI.ChatCompletionChunk).choices);
    expect(strip(reparsed.events)).toEqual(strip(plain.events));
  });

  it("still streams correctly through the SDKs", async () => {
    const stream = await openai.chat.completions.create(streamChat(text, "fake-small;split=1"));
    let out = "";
    for await (const c of stream) out += c.choices[0]?.delta.content ?? "";
    expect(out).toBe(`echo: ${text} lorem ipsum dolor`);

    const final = await anthropicClient(`${fake.url}/anthropic`)
      .messages.stream({ model: "c;split=1", max_tokens: 50, messages: [{ role: "user", content: text }] })
      .finalMessage();
    expect(final.content[0]).toMatchObject({ type: "text", text: `echo: ${text} lorem ipsum dolor` });
    expect(final.usage.output_tokens).toBe(8);
  });
});

describe("fail_first with key", () => {
  it("fails the first n requests of a key, then succeeds; keys are independent", async () => {
    const key = randomUUID();
    const model = `fake-small;fail_first=2;key=${key}`;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await postJson(chatUrl(), userChat("x", model))).status);
    expect(statuses).toEqual([503, 503, 200, 200]);

    const other = await postJson(chatUrl(), userChat("x", `fake-small;fail_first=1;status=429;key=${randomUUID()}`));
    expect(other.status).toBe(429);
    expect(other.headers.get("retry-after")).toBe("1");
  });

  it("keeps counters across clear()", async () => {
    const model = `fake-small;fail_first=1;key=${randomUUID()}`;
    expect((await postJson(chatUrl(), userChat("x", model))).status).toBe(503);
    fake.clear();
    expect((await postJson(chatUrl(), userChat("x", model))).status).toBe(200);
  });
});

describe("error_mid_stream", () => {
  it("sends a provider-shaped error event after n content events, then ends", async () => {
    const chunks: string[] = [];
    const err = await sdkError(
      (async () => {
        const stream = await openai.chat.completions.create(streamChat("x", "fake-small;error_mid_stream=2"));
        for await (const c of stream) chunks.push(c.choices[0]?.delta.content ?? "");
      })(),
    );
    expect(chunks.join("")).toBe("echo: x");
    expect(err).toMatchObject({ error: { type: "server_error" } });

    const a = await collectSse(await postJson(anthropicUrl(), anthropicBody("c;error_mid_stream=1", { stream: true })));
    expect(a.error).toBeUndefined();
    const last = a.events[a.events.length - 1];
    expect(last?.event).toBe("error");
    expect(JSON.parse(last?.data ?? "{}")).toEqual({
      type: "error",
      error: { type: "overloaded_error", message: expect.any(String) },
    });

    const g = await collectSse(
      await postJson(`${geminiUrl("g;error_mid_stream=1", "streamGenerateContent")}?alt=sse`, geminiBody),
    );
    expect(g.events).toHaveLength(2);
    expect(JSON.parse(g.events[1]?.data ?? "{}")).toMatchObject({ error: { code: 503, status: "UNAVAILABLE" } });
  });

  it("makes the Anthropic SDK stream throw", async () => {
    const stream = anthropicClient(`${fake.url}/anthropic`).messages.stream({
      model: "c;error_mid_stream=1",
      max_tokens: 50,
      messages: [{ role: "user", content: "x" }],
    });
    expect(await sdkError(stream.finalMessage())).toBeDefined();
  });
});

describe("garbage", () => {
  it("answers 200 with invalid JSON, or an invalid SSE data payload", async () => {
    const res = await postJson(chatUrl(), userChat("x", "fake-small;garbage=1"));
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(() => JSON.parse(body) as unknown).toThrow();
    expect(await sdkError(openai.chat.completions.create(userChat("x", "fake-small;garbage=1")))).toBeDefined();

    const sse = await collectSse(await postJson(chatUrl(), streamChat("x", "fake-small;garbage=1")));
    expect(sse.events.some((e) => e.data === "{not valid json")).toBe(true);
    const streamErr = await sdkError(
      (async () => {
        for await (const _ of await openai.chat.completions.create(streamChat("x", "fake-small;garbage=1"))) {
          // drain
        }
      })(),
    );
    expect(streamErr).toBeInstanceOf(SyntaxError);
  });
});
