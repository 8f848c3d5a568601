import { describe, expect, it } from "vitest";
import type { ChatChunk, ChatRequest } from "../../../src/canonical/chat";
import { UpstreamProtocolError } from "../../../src/errors/upstream-protocol-error";
import { geminiAdapter } from "../../../src/providers/gemini";
import type { ResolvedProvider } from "../../../src/providers/types";
import {
  geminiBatchEmbedResponse,
  geminiFunctionCallResponse,
  geminiTextStream,
} from "../../fixtures/transcripts/gemini";

const provider: ResolvedProvider = {
  id: "google",
  type: "gemini",
  baseUrl: "https://generativelanguage.googleapis.com/v1beta/",
  headers: { "x-goog-api-key": "test-key", "x-extra": "1" },
};

const chat: ChatRequest = {
  model: "fast",
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: "Hi" },
  ],
  max_tokens: 32,
};

describe("geminiAdapter", () => {
  it("speaks the gemini format", () => {
    expect(geminiAdapter.format).toBe("gemini");
  });

  it("POSTs generateContent with the provider headers and a JSON body", async () => {
    const req = geminiAdapter.chatRequest(provider, "gemini-2.5-flash", chat, { stream: false });
    expect(req.method).toBe("POST");
    expect(req.url).toBe("https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent");
    expect(req.headers.get("x-goog-api-key")).toBe("test-key");
    expect(req.headers.get("x-extra")).toBe("1");
    expect(req.headers.get("content-type")).toBe("application/json");
    expect(await req.json()).toEqual({
      systemInstruction: { parts: [{ text: "Be brief." }] },
      contents: [{ role: "user", parts: [{ text: "Hi" }] }],
      generationConfig: { maxOutputTokens: 32 },
    });
  });

  it("streams through streamGenerateContent with alt=sse and never puts the key in the URL", () => {
    const req = geminiAdapter.chatRequest(provider, "gemini-2.5-flash", { ...chat, stream: true }, { stream: true });
    expect(req.url).toBe(
      "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
    );
    expect(req.url).not.toContain("test-key");
    expect(req.headers.get("accept")).toBe("text/event-stream");
  });

  it("encodes the model name and drops a models/ prefix", () => {
    const odd = geminiAdapter.chatRequest(provider, "tuned/model a", chat, { stream: false });
    expect(odd.url).toBe("https://generativelanguage.googleapis.com/v1beta/models/tuned%2Fmodel%20a:generateContent");
    const prefixed = geminiAdapter.chatRequest(provider, "models/gemini-2.0-flash", chat, { stream: false });
    expect(prefixed.url).toBe(
      "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent",
    );
  });

  it("round-trips a Gemini 3 thought signature through the client's copy of the assistant message", async () => {
    const first = geminiAdapter.parseChatResponse(geminiFunctionCallResponse, "gemini-3-flash-preview");
    const assistant = first.choices[0]?.message;
    if (assistant === undefined) throw new Error("no choice");
    // What an OpenAI client sends next: the assistant message as received, then the tool results.
    const next: ChatRequest = {
      model: "fast",
      messages: [
        { role: "user", content: "Weather and time in Paris?" },
        JSON.parse(JSON.stringify(assistant)),
        { role: "tool", tool_call_id: "call_0", content: '{"temp":21}' },
        { role: "tool", tool_call_id: "call_1", content: '{"time":"14:05"}' },
      ],
    };
    const body = await geminiAdapter.chatRequest(provider, "gemini-3-flash-preview", next, { stream: false }).json();
    expect(body).toMatchObject({
      contents: [
        { role: "user" },
        {
          role: "model",
          parts: [
            {
              functionCall: { name: "get_weather", args: { location: "Paris", unit: "celsius" } },
              thoughtSignature: "c2lnbmF0dXJlLW9uZQ==",
            },
            { functionCall: { name: "get_time", args: { timezone: "Europe/Paris" } } },
          ],
        },
        {
          role: "user",
          parts: [
            { functionResponse: { name: "get_weather", response: { temp: 21 } } },
            { functionResponse: { name: "get_time", response: { time: "14:05" } } },
          ],
        },
      ],
    });
  });

  it("parses a streamed response body into canonical chunks", async () => {
    const res = new Response(geminiTextStream, { headers: { "content-type": "text/event-stream" } });
    if (res.body === null) throw new Error("no body");
    const chunks: ChatChunk[] = [];
    for await (const ev of geminiAdapter.parseChatStream(res.body, "gemini-2.5-flash")) chunks.push(ev.chunk);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe("Mittens the cat naps — ☀️ in the sun.");
    expect(chunks.at(-1)?.usage?.total_tokens).toBe(24);
  });

  it("throws UpstreamProtocolError on an answer that is not a Gemini response", () => {
    expect(() => geminiAdapter.parseChatResponse({ choices: [] }, "m")).toThrow(UpstreamProtocolError);
  });

  it.each<[string, Partial<ChatRequest>, string[]]>([
    ["a plain request", {}, []],
    [
      "every translated parameter",
      {
        temperature: 1,
        top_p: 1,
        n: 2,
        stop: "x",
        seed: 1,
        logprobs: true,
        top_logprobs: 2,
        presence_penalty: 0,
        frequency_penalty: 0,
        response_format: { type: "json_object" },
        parallel_tool_calls: true,
        stream_options: { include_usage: true },
        user: "u",
        metadata: { a: "b" },
      },
      [],
    ],
    ["parallel_tool_calls: false", { parallel_tool_calls: false }, ["parallel_tool_calls"]],
    ["untranslated fields", { reasoning_effort: "low", logit_bias: { "1": 2 } }, ["reasoning_effort", "logit_bias"]],
    ["untranslated fields set to null", { reasoning_effort: null }, []],
    [
      "untranslatable content",
      { messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://x.test/img" } }] }] },
      ["messages.0.content.0.image_url.url"],
    ],
  ])("unsupportedParams: %s", (_name, partial, expected) => {
    expect(geminiAdapter.unsupportedParams({ ...chat, ...partial })).toEqual(expected);
  });

  it("POSTs batchEmbedContents and parses the answer", async () => {
    const embed = geminiAdapter.embeddingsRequest;
    const parse = geminiAdapter.parseEmbeddingsResponse;
    if (embed === undefined || parse === undefined) throw new Error("embeddings missing");
    const req = embed(provider, "gemini-embedding-001", { model: "embed", input: ["a", "b"] });
    expect(req.url).toBe(
      "https://generativelanguage.googleapis.com/v1beta/models/gemini-embedding-001:batchEmbedContents",
    );
    expect(req.headers.get("x-goog-api-key")).toBe("test-key");
    expect(await req.json()).toEqual({
      requests: [
        { model: "models/gemini-embedding-001", content: { parts: [{ text: "a" }] } },
        { model: "models/gemini-embedding-001", content: { parts: [{ text: "b" }] } },
      ],
    });
    expect(parse(geminiBatchEmbedResponse, "gemini-embedding-001").data).toHaveLength(2);
    expect(() => embed(provider, "m", { model: "embed", input: [1, 2] })).toThrow(/token-array/);
  });
});
