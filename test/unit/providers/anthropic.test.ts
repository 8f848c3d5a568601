import { describe, expect, it } from "vitest";
import type { ChatRequest } from "../../../src/canonical/chat";
import { GatewayError } from "../../../src/errors";
import { UpstreamProtocolError } from "../../../src/errors/upstream-protocol-error";
import { ANTHROPIC_DEFAULT_MAX_TOKENS, anthropicAdapter } from "../../../src/providers/anthropic";
import type { ResolvedProvider } from "../../../src/providers/types";
import { textMessage } from "../../fixtures/transcripts/anthropic-messages";
import { textStream } from "../../fixtures/transcripts/anthropic-streams";
import { bodyOf, collect } from "../formats/anthropic/helpers";

const provider: ResolvedProvider = {
  id: "anthropic-main",
  type: "anthropic",
  baseUrl: "http://127.0.0.1:8787/v1/",
  headers: { "x-api-key": "sk-test", "anthropic-version": "2023-06-01" },
};

const base: ChatRequest = { model: "alias", messages: [{ role: "user", content: "Hi" }] };

describe("anthropicAdapter.unsupportedParams", () => {
  const cases: [string, Partial<ChatRequest>, string[]][] = [
    ["nothing special", {}, []],
    [
      "inert defaults",
      { n: 1, logprobs: false, top_logprobs: 0, presence_penalty: 0, frequency_penalty: 0, seed: null },
      [],
    ],
    ["n > 1", { n: 2 }, ["n"]],
    ["logprobs", { logprobs: true, top_logprobs: 3 }, ["logprobs", "top_logprobs"]],
    ["seed (Anthropic has none)", { seed: 42 }, ["seed"]],
    ["penalties", { presence_penalty: 0.5, frequency_penalty: -1 }, ["presence_penalty", "frequency_penalty"]],
    ["temperature above 1", { temperature: 1.2 }, ["temperature"]],
    ["temperature within range", { temperature: 0.9 }, []],
    ["json_object", { response_format: { type: "json_object" } }, ["response_format"]],
    ["json_schema", { response_format: { type: "json_schema", json_schema: { name: "s" } } }, ["response_format"]],
    ["text response format", { response_format: { type: "text" } }, []],
    ["audio output", { modalities: ["text", "audio"], audio: { voice: "x" } }, ["audio", "modalities"]],
    ["logit_bias", { logit_bias: { "1": 5 } }, ["logit_bias"]],
    [
      "untranslatable content",
      { messages: [{ role: "user", content: [{ type: "file", file: { file_id: "f" } }] }] },
      ["messages.0.content.0.type"],
    ],
  ];
  it.each(cases)("%s", (_name, fields, expected) => {
    expect(anthropicAdapter.unsupportedParams({ ...base, ...fields })).toEqual(expected);
  });
});

describe("anthropicAdapter.chatRequest", () => {
  it("posts the translated body to {baseUrl}/messages with the resolved headers", async () => {
    expect(anthropicAdapter.format).toBe("anthropic");
    const req = anthropicAdapter.chatRequest(
      provider,
      "claude-sonnet-4-5",
      { ...base, max_tokens: 64 },
      { stream: false },
    );
    expect(req.method).toBe("POST");
    expect(req.url).toBe("http://127.0.0.1:8787/v1/messages");
    expect(req.headers.get("x-api-key")).toBe("sk-test");
    expect(req.headers.get("anthropic-version")).toBe("2023-06-01");
    expect(req.headers.get("content-type")).toBe("application/json");
    expect(await req.json()).toEqual({
      model: "claude-sonnet-4-5",
      max_tokens: 64,
      messages: [{ role: "user", content: "Hi" }],
    });
  });

  it("asks for a stream and fills the required max_tokens", async () => {
    const req = anthropicAdapter.chatRequest(
      provider,
      "claude-sonnet-4-5",
      { ...base, stream: true },
      { stream: true },
    );
    expect(req.headers.get("accept")).toBe("text/event-stream");
    expect(await req.json()).toMatchObject({ stream: true, max_tokens: ANTHROPIC_DEFAULT_MAX_TOKENS });
    const withPolicy = anthropicAdapter.chatRequest(provider, "m", base, { stream: false, defaultMaxTokens: 8192 });
    expect(await withPolicy.json()).toMatchObject({ max_tokens: 8192 });
    const withClient = anthropicAdapter.chatRequest(
      provider,
      "m",
      { ...base, max_tokens: 5 },
      { stream: false, defaultMaxTokens: 8192 },
    );
    expect(await withClient.json()).toMatchObject({ max_tokens: 5 });
  });

  it.each([
    [{ temperature: 2 }, "temperature"],
    [{ n: 3 }, "n"],
  ])("refuses %o with unsupported_parameter instead of changing it", (fields, param) => {
    const call = () => anthropicAdapter.chatRequest(provider, "m", { ...base, ...fields }, { stream: false });
    expect(call).toThrow(GatewayError);
    try {
      call();
    } catch (err) {
      expect(err).toMatchObject({ code: "unsupported_parameter", param });
    }
  });
});

describe("anthropicAdapter parsing", () => {
  it("parses a Message", () => {
    expect(anthropicAdapter.parseChatResponse(textMessage, "claude-sonnet-4-5").choices[0]?.message.content).toBe(
      "Hello!",
    );
    expect(() => anthropicAdapter.parseChatResponse({ nope: true }, "m")).toThrow(UpstreamProtocolError);
  });

  it("parses a stream", async () => {
    const events = await collect(anthropicAdapter.parseChatStream(bodyOf(textStream, 4), "claude-sonnet-4-5"));
    expect(events.map((e) => e.chunk.choices[0]?.delta.content ?? null).join("")).toBe("Hello, café ☕!");
    expect(events.at(-1)?.chunk.usage).toEqual({ prompt_tokens: 25, completion_tokens: 15, total_tokens: 40 });
  });

  it("has no embeddings", () => {
    expect(anthropicAdapter.embeddingsRequest).toBeUndefined();
  });
});
