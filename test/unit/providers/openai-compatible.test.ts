import { describe, expect, it } from "vitest";
import type { ChatRequest } from "../../../src/canonical/chat";
import { createOpenAICompatibleAdapter } from "../../../src/providers/openai-compatible";
import type { ResolvedProvider } from "../../../src/providers/types";
import { openaiCompletionJson, openaiTextStream } from "../../fixtures/transcripts/openai-chat";
import { openaiEmbeddingsJson } from "../../fixtures/transcripts/openai-embeddings";
import { bytesStream, collect } from "../formats/openai/stream-helpers";

const provider: ResolvedProvider = {
  id: "primary",
  type: "openai",
  baseUrl: "https://upstream.test/v1",
  headers: { authorization: "Bearer sk-test", "x-extra": "1" },
};

const req: ChatRequest = {
  model: "alias-small",
  messages: [{ role: "user", content: "Hi", name: "ann" }],
  temperature: 0.2,
  seed: 7,
  max_completion_tokens: 100,
  user: "u-1",
  logprobs: false,
  n: 1,
  top_k: 40,
};

async function bodyOf(request: Request): Promise<Record<string, unknown>> {
  return (await request.json()) as Record<string, unknown>;
}

describe("createOpenAICompatibleAdapter with defaults", () => {
  const adapter = createOpenAICompatibleAdapter();

  it("speaks the openai format", () => {
    expect(adapter.format).toBe("openai");
    expect(adapter.unsupportedParams({ ...req, n: 5, logprobs: true })).toEqual([]);
  });

  it("builds a JSON request with the upstream model and every other field untouched", async () => {
    const request = adapter.chatRequest(provider, "gpt-4o-mini", { ...req, stream: true }, { stream: false });
    expect(request.method).toBe("POST");
    expect(request.url).toBe("https://upstream.test/v1/chat/completions");
    expect(request.headers.get("authorization")).toBe("Bearer sk-test");
    expect(request.headers.get("x-extra")).toBe("1");
    expect(request.headers.get("content-type")).toBe("application/json");
    const { model, stream, stream_options, ...rest } = await bodyOf(request);
    expect(model).toBe("gpt-4o-mini");
    expect(stream).toBeUndefined();
    expect(stream_options).toBeUndefined();
    const { model: _alias, ...sent } = req;
    expect(rest).toEqual(sent);
  });

  it("asks for usage when streaming, keeping the client's other stream options", async () => {
    const request = adapter.chatRequest(
      provider,
      "gpt-4o-mini",
      { ...req, stream_options: { include_usage: false, include_obfuscation: false } as ChatRequest["stream_options"] },
      { stream: true },
    );
    expect(request.headers.get("accept")).toBe("text/event-stream");
    const body = await bodyOf(request);
    expect(body.stream).toBe(true);
    expect(body.stream_options).toEqual({ include_usage: true, include_obfuscation: false });
  });

  it("does not change the caller's request object", () => {
    const copy = structuredClone(req);
    adapter.chatRequest(provider, "x", req, { stream: true });
    expect(req).toEqual(copy);
  });

  it("parses the upstream's JSON answer and its stream", async () => {
    expect(adapter.parseChatResponse(JSON.parse(openaiCompletionJson), "x").choices[0]?.message.content).toBe(
      "Bonjour ! Un café ☕ ?",
    );
    const events = await collect(adapter.parseChatStream(bytesStream(openaiTextStream, 3), "x"));
    expect(events).toHaveLength(6);
  });

  it("builds and parses embeddings calls", async () => {
    const request = adapter.embeddingsRequest?.(provider, "text-embedding-3-small", {
      model: "alias-embed",
      input: ["a", "b"],
      dimensions: 3,
    });
    expect(request?.url).toBe("https://upstream.test/v1/embeddings");
    expect(request && (await bodyOf(request))).toEqual({
      model: "text-embedding-3-small",
      input: ["a", "b"],
      dimensions: 3,
    });
    expect(adapter.parseEmbeddingsResponse?.(JSON.parse(openaiEmbeddingsJson), "x").usage.prompt_tokens).toBe(8);
  });
});

describe("createOpenAICompatibleAdapter quirks are data", () => {
  const strict = createOpenAICompatibleAdapter({
    chatPath: "/v2/chat",
    embeddingsPath: null,
    acceptsStreamOptions: false,
    unsupportedParams: [{ param: "n", inert: [1] }, { param: "logprobs", inert: [false] }, { param: "logit_bias" }],
    unsupportedMessageFields: ["name"],
    renameParams: { max_completion_tokens: "max_tokens", seed: "random_seed" },
    dropParams: ["user"],
  });

  it.each<[string, Partial<ChatRequest>, string[]]>([
    ["nothing unsupported in use", { messages: [{ role: "user", content: "x" }] }, []],
    ["inert values", { messages: [{ role: "user", content: "x" }], n: 1, logprobs: false, logit_bias: null }, []],
    ["n above one", { messages: [{ role: "user", content: "x" }], n: 2 }, ["n"]],
    [
      "logprobs and logit_bias",
      { messages: [{ role: "user", content: "x" }], logprobs: true, logit_bias: { "1": 2 } },
      ["logprobs", "logit_bias"],
    ],
    ["a named message", { messages: [{ role: "user", content: "x", name: "ann" }] }, ["messages.name"]],
  ])("reports unsupported params: %s", (_, fields, expected) => {
    expect(strict.unsupportedParams({ ...req, n: undefined, logprobs: undefined, ...fields })).toEqual(expected);
  });

  it("renames, drops inert and droppable fields, omits stream_options and uses its own path", async () => {
    const request = strict.chatRequest(provider, "mistral-small", req, { stream: true });
    expect(request.url).toBe("https://upstream.test/v1/v2/chat");
    const body = await bodyOf(request);
    expect(body).toEqual({
      model: "mistral-small",
      messages: [{ role: "user", content: "Hi", name: "ann" }],
      temperature: 0.2,
      random_seed: 7,
      max_tokens: 100,
      top_k: 40,
      stream: true,
    });
  });

  it("lets the canonical field win when the client sent both names", async () => {
    const body = await bodyOf(strict.chatRequest(provider, "m", { ...req, max_tokens: 5 }, { stream: false }));
    expect(body.max_tokens).toBe(100);
    expect(body).not.toHaveProperty("max_completion_tokens");
  });

  it("still sends a value it cannot honour rather than silently dropping it", async () => {
    const body = await bodyOf(strict.chatRequest(provider, "m", { ...req, n: 3 }, { stream: false }));
    expect(body.n).toBe(3);
  });

  it("has no embeddings methods when the upstream has no endpoint", () => {
    expect(strict.embeddingsRequest).toBeUndefined();
    expect(strict.parseEmbeddingsResponse).toBeUndefined();
  });
});
