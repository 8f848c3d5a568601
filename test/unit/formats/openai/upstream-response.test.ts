import { describe, expect, it } from "vitest";
import { UpstreamProtocolError } from "../../../../src/errors/upstream-protocol-error";
import {
  parseUpstreamChunk,
  parseUpstreamCompletion,
  parseUpstreamEmbeddings,
} from "../../../../src/formats/openai/upstream-response";
import { openaiCompletionJson, openaiToolCallCompletionJson } from "../../../fixtures/transcripts/openai-chat";
import { openaiEmbeddingsBase64Json, openaiEmbeddingsJson } from "../../../fixtures/transcripts/openai-embeddings";

/** Text no error message may ever contain: it stands for a prompt echoed in an upstream body. */
const SECRET = "prompt-echo-7f3a";

function thrown(fn: () => unknown): UpstreamProtocolError {
  try {
    fn();
  } catch (err) {
    if (err instanceof UpstreamProtocolError) return err;
    throw err;
  }
  throw new Error("expected an UpstreamProtocolError");
}

describe("parseUpstreamCompletion", () => {
  it("parses a text completion and keeps fields it does not model", () => {
    const res = parseUpstreamCompletion(JSON.parse(openaiCompletionJson), "fallback");
    expect(res).toMatchObject({
      id: "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
      object: "chat.completion",
      model: "gpt-4o-mini-2024-07-18",
      choices: [{ index: 0, message: { role: "assistant", content: "Bonjour ! Un café ☕ ?" }, finish_reason: "stop" }],
      usage: {
        prompt_tokens: 19,
        completion_tokens: 10,
        total_tokens: 29,
        prompt_tokens_details: { cached_tokens: 0 },
      },
      service_tier: "default",
    });
    expect(res.choices[0]?.message.annotations).toEqual([]);
  });

  it("parses a tool-call completion", () => {
    const res = parseUpstreamCompletion(JSON.parse(openaiToolCallCompletionJson), "fallback");
    const message = res.choices[0]?.message;
    expect(message?.content).toBeNull();
    expect(message?.tool_calls).toEqual([
      {
        id: "call_abc123",
        type: "function",
        function: { name: "get_current_weather", arguments: '{\n"location": "Boston, MA"\n}' },
      },
    ]);
    expect(res.choices[0]?.finish_reason).toBe("tool_calls");
  });

  it("fills a sparse envelope from an origin server", () => {
    const res = parseUpstreamCompletion(
      {
        choices: [{ index: 0, message: { role: "assistant" }, finish_reason: "length" }],
        usage: { prompt_tokens: 3, completion_tokens: 4 },
      },
      "llama-3-8b",
    );
    expect(res).toMatchObject({ id: "", object: "chat.completion", model: "llama-3-8b" });
    expect(typeof res.created).toBe("number");
    expect(res.choices[0]?.message.content).toBeNull();
    expect(res.usage?.total_tokens).toBe(7);
  });

  it("treats a null usage as absent", () => {
    const res = parseUpstreamCompletion({ choices: [], usage: null }, "m");
    expect(res.usage).toBeUndefined();
  });

  it.each<[string, unknown, string]>([
    ["no choices", { id: "x", usage: null }, "choices"],
    [
      "a wrong role",
      { choices: [{ index: 0, message: { role: "user", content: SECRET }, finish_reason: "stop" }] },
      "choices.0.message.role",
    ],
    [
      "numeric content",
      { choices: [{ index: 0, message: { role: "assistant", content: 1 }, finish_reason: "stop" }] },
      "choices.0.message.content",
    ],
    [
      "an unknown finish_reason",
      { choices: [{ index: 0, message: { role: "assistant", content: SECRET }, finish_reason: SECRET }] },
      "choices.0.finish_reason",
    ],
    [
      "object tool arguments",
      {
        choices: [
          {
            index: 0,
            message: {
              role: "assistant",
              tool_calls: [{ id: "c", function: { name: "f", arguments: { q: SECRET } } }],
            },
            finish_reason: "tool_calls",
          },
        ],
      },
      "choices.0.message.tool_calls.0.function.arguments",
    ],
  ])("throws on %s, naming the field but not the body", (_, body, path) => {
    const err = thrown(() => parseUpstreamCompletion(body, "m"));
    expect(err.message).toContain(`'${path}'`);
    expect(err.message).not.toContain(SECRET);
  });

  it("passes malformed usage on untouched (billing refuses it) instead of failing the answer", () => {
    const usage = { prompt_tokens: "3", completion_tokens: -1, total_tokens: 4 };
    const res = parseUpstreamCompletion(
      { choices: [{ index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" }], usage },
      "m",
    );
    expect(res.choices[0]?.message.content).toBe("hi");
    expect(res.usage).toEqual(usage);
  });

  it("turns an error object into an UpstreamProtocolError without its message", () => {
    const err = thrown(() =>
      parseUpstreamCompletion({ error: { message: SECRET, type: "invalid_request_error", code: null } }, "m"),
    );
    expect(err.message).toContain("invalid_request_error");
    expect(err.message).not.toContain(SECRET);
  });

  it("does not repeat an error code that is not identifier-like", () => {
    const err = thrown(() => parseUpstreamCompletion({ error: { code: `${SECRET} with spaces` } }, "m"));
    expect(err.message).not.toContain(SECRET);
  });
});

describe("parseUpstreamChunk", () => {
  it("accepts a usage-only chunk with empty choices", () => {
    const chunk = parseUpstreamChunk(
      {
        id: "c",
        object: "chat.completion.chunk",
        created: 1,
        model: "m",
        choices: [],
        usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
      },
      "f",
    );
    expect(chunk.choices).toEqual([]);
    expect(chunk.usage).toMatchObject({ total_tokens: 3 });
  });

  it("defaults a missing finish_reason to null and drops a null role", () => {
    const chunk = parseUpstreamChunk({ choices: [{ index: 0, delta: { role: null, content: "x" } }] }, "fallback");
    expect(chunk.model).toBe("fallback");
    expect(chunk.choices[0]).toEqual({ index: 0, delta: { content: "x" }, finish_reason: null });
  });

  it("rejects a tool-call delta without index", () => {
    const err = thrown(() =>
      parseUpstreamChunk({ choices: [{ index: 0, delta: { tool_calls: [{ function: { arguments: "{" } }] } }] }, "m"),
    );
    expect(err.message).toContain("'choices.0.delta.tool_calls.0.index'");
  });
});

describe("parseUpstreamEmbeddings", () => {
  it("parses float embeddings", () => {
    expect(parseUpstreamEmbeddings(JSON.parse(openaiEmbeddingsJson), "f")).toEqual({
      object: "list",
      data: [
        { object: "embedding", index: 0, embedding: [0.0023064255, -0.009327292, -0.0028842222] },
        { object: "embedding", index: 1, embedding: [-0.0069292854, 0.0111003285, 0.0208873] },
      ],
      model: "text-embedding-3-small",
      usage: { prompt_tokens: 8, total_tokens: 8 },
    });
  });

  it("parses base64 embeddings", () => {
    const res = parseUpstreamEmbeddings(JSON.parse(openaiEmbeddingsBase64Json), "f");
    expect(res.data[0]?.embedding).toBe("AACAPwAAAEAAAEBA");
  });

  it("fills total_tokens and model from an origin that omits them", () => {
    const res = parseUpstreamEmbeddings({ data: [{ index: 0, embedding: [1] }], usage: { prompt_tokens: 2 } }, "bge");
    expect(res).toEqual({
      object: "list",
      data: [{ object: "embedding", index: 0, embedding: [1] }],
      model: "bge",
      usage: { prompt_tokens: 2, total_tokens: 2 },
    });
  });

  it("refuses a response without usage: billing needs the upstream's count", () => {
    const err = thrown(() => parseUpstreamEmbeddings({ data: [{ index: 0, embedding: [1] }] }, "m"));
    expect(err.message).toContain("'usage'");
  });
});
