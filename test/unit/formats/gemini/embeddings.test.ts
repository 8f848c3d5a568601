import { describe, expect, it } from "vitest";
import { GatewayError } from "../../../../src/errors";
import { UpstreamProtocolError } from "../../../../src/errors/upstream-protocol-error";
import { fromGeminiEmbedResponse, toGeminiEmbedRequest } from "../../../../src/formats/gemini/embeddings";
import { geminiBatchEmbedResponse } from "../../../fixtures/transcripts/gemini";

describe("Gemini embeddings translation", () => {
  it.each([
    ["a string", "hello", ["hello"]],
    ["a string array", ["a", "b"], ["a", "b"]],
  ])("sends one request per input for %s", (_name, input, texts) => {
    expect(toGeminiEmbedRequest({ model: "alias", input }, "gemini-embedding-001")).toEqual({
      requests: texts.map((text) => ({ model: "models/gemini-embedding-001", content: { parts: [{ text }] } })),
    });
  });

  it("maps dimensions to outputDimensionality and accepts a models/ prefix", () => {
    const body = toGeminiEmbedRequest({ model: "alias", input: "x", dimensions: 256 }, "models/text-embedding-004");
    expect(body.requests).toEqual([
      { model: "models/text-embedding-004", content: { parts: [{ text: "x" }] }, outputDimensionality: 256 },
    ]);
  });

  it.each([
    ["tokens", [1, 2, 3]],
    ["token arrays", [[1, 2], [3]]],
  ])("refuses %s", (_name, input) => {
    expect(() => toGeminiEmbedRequest({ model: "alias", input }, "m")).toThrow(GatewayError);
  });

  it("returns an OpenAI embeddings list in input order, with zero usage when Gemini reports none", () => {
    expect(fromGeminiEmbedResponse(geminiBatchEmbedResponse, "gemini-embedding-001")).toEqual({
      object: "list",
      data: [
        { object: "embedding", index: 0, embedding: [0.013, -0.008, 0.051] },
        { object: "embedding", index: 1, embedding: [-0.02, 0.004, 0.033] },
      ],
      model: "gemini-embedding-001",
      usage: { prompt_tokens: 0, total_tokens: 0 },
    });
  });

  it("reads token counts when present", () => {
    const body = { ...geminiBatchEmbedResponse, usageMetadata: { promptTokenCount: 5 } };
    expect(fromGeminiEmbedResponse(body, "m").usage).toEqual({ prompt_tokens: 5, total_tokens: 5 });
  });

  it.each([{}, { embeddings: [{ values: ["x"] }] }, null])("throws UpstreamProtocolError on %j", (body) => {
    expect(() => fromGeminiEmbedResponse(body, "m")).toThrow(UpstreamProtocolError);
  });
});
