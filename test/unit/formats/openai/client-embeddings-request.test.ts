import { describe, expect, it } from "vitest";
import { parseEmbeddingsRequest } from "../../../../src/formats/openai/client-embeddings-request";

describe("parseEmbeddingsRequest", () => {
  it.each<[string, unknown]>([
    ["a string", "hello"],
    ["strings", ["a", "b"]],
    ["token ids", [1, 2, 3]],
    ["token id arrays", [[1, 2], [3]]],
  ])("accepts %s as input", (_, input) => {
    expect(parseEmbeddingsRequest({ model: "embed", input })).toEqual({ ok: true, value: { model: "embed", input } });
  });

  it("accepts the documented options and keeps unknown fields", () => {
    const body = {
      model: "embed",
      input: "x",
      encoding_format: "base64",
      dimensions: 256,
      user: "u",
      input_type: "query",
    };
    expect(parseEmbeddingsRequest(body)).toEqual({ ok: true, value: body });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["a missing model", { input: "x" }, "model"],
    ["a missing input", { model: "m" }, "input"],
    ["an empty string", { model: "m", input: "" }, "input"],
    ["an empty array", { model: "m", input: [] }, "input"],
    ["a number", { model: "m", input: 5 }, "input"],
    ["mixed strings and numbers", { model: "m", input: ["a", 3] }, "input.1"],
    ["an empty token array inside", { model: "m", input: [[1], []] }, "input.1"],
    ["a negative token id", { model: "m", input: [1, -2] }, "input.1"],
    ["an unknown encoding_format", { model: "m", input: "x", encoding_format: "int8" }, "encoding_format"],
    ["dimensions 0", { model: "m", input: "x", dimensions: 0 }, "dimensions"],
    ["fractional dimensions", { model: "m", input: "x", dimensions: 2.5 }, "dimensions"],
    ["a numeric user", { model: "m", input: "x", user: 1 }, "user"],
  ])("rejects %s", (_, body, param) => {
    const result = parseEmbeddingsRequest(body);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.param).toBe(param);
  });
});
