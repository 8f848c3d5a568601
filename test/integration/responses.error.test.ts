import { describe, expect, it } from "vitest";
import { gw, nonce, postJson, upstreamRequests } from "../helpers/gateway";

interface ErrorJson {
  type: string;
  error: { code: string; param: string | null; message: string; type: string };
  request_id: string;
}

const ok = { model: "m-openai", input: "hi" };

describe("POST /v1/responses — refused with a 400 naming the field", () => {
  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ["store: true", { store: true }, "store", /does not store responses/],
    ["previous_response_id", { previous_response_id: "resp_123" }, "previous_response_id", /does not store/],
    ["conversation", { conversation: "conv_1" }, "conversation", /does not store/],
    ["background", { background: true }, "background", /background/],
    ["an item reference", { input: [{ type: "item_reference", id: "msg_1" }] }, "input.0.type", /store: false/],
    ["a reasoning item", { input: [{ type: "reasoning", id: "rs_1", summary: [] }] }, "input.0.type", /reasoning/],
    ["a hosted tool", { tools: [{ type: "web_search" }] }, "tools.0.type", /hosted by OpenAI/],
    [
      "a file input",
      { input: [{ role: "user", content: [{ type: "input_file", file_id: "f" }] }] },
      "input.0.content.0.type",
      /file/,
    ],
    [
      "an image by file id",
      { input: [{ role: "user", content: [{ type: "input_image", file_id: "f", detail: "auto" }] }] },
      "input.0.content.0.image_url",
      /file ids/,
    ],
    [
      "an image in a system message",
      {
        input: [
          { role: "system", content: [{ type: "input_image", image_url: "https://x.test/a.png", detail: "auto" }] },
        ],
      },
      "input.0.content.0.type",
      /only text/,
    ],
    ["temperature out of range", { temperature: 3 }, "temperature", /2/],
    ["a bad json_schema format", { text: { format: { type: "json_schema", name: "x" } } }, "text.format.schema", /./],
    ["truncation auto", { truncation: "auto" }, "truncation", /never drops/],
    ["an unknown field", { frobnicate: 1 }, "frobnicate", /does not translate/],
    ["no input", { input: [] }, "input", /at least one/],
    [
      "metadata too large",
      { metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, "v"])) },
      "metadata",
      /16/,
    ],
  ])("%s", async (_label, patch, param, message) => {
    const n = nonce("resp-bad");
    const res = await postJson("/v1/responses", { ...ok, user: n, ...patch });
    expect(res.status).toBe(400);
    const err = (await res.json()) as ErrorJson;
    expect(err.error).toMatchObject({ code: "invalid_request", type: "invalid_request_error", param });
    expect(err.error.message).toMatch(message);
    expect(err.request_id).toBe(res.headers.get("x-request-id"));
    expect(await upstreamRequests(n)).toHaveLength(0);
  });

  it("names max_output_tokens (not the canonical field) when it is above the model's limit", async () => {
    const res = await postJson("/v1/responses", { ...ok, max_output_tokens: 1_000_000 });
    expect(res.status).toBe(400);
    const err = (await res.json()) as ErrorJson;
    expect(err.error.param).toBe("max_output_tokens");
    expect(err.error.message).toMatch(/^max_output_tokens is 1000000/);
  });

  it("names reasoning.effort when no target of the model can honour it", async () => {
    const res = await postJson("/v1/responses", { model: "m-gemini", input: "hi", reasoning: { effort: "high" } });
    expect(res.status).toBe(400);
    const err = (await res.json()) as ErrorJson;
    expect(err.error).toMatchObject({ code: "unsupported_parameter", param: "reasoning.effort" });
  });

  it("accepts store: false and answers as not stored", async () => {
    const res = await postJson("/v1/responses", { ...ok, store: false });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { store: boolean }).store).toBe(false);
  });
});

describe("POST /v1/responses — the shared envelope for routing and auth errors", () => {
  it("an unknown model is a 404", async () => {
    const res = await postJson("/v1/responses", { model: "nope", input: "x" });
    expect(res.status).toBe(404);
    expect(((await res.json()) as ErrorJson).error.code).toBe("model_not_found");
  });

  it("a missing credential is a 401", async () => {
    const res = await postJson("/v1/responses", ok, { key: null });
    expect(res.status).toBe(401);
    expect(((await res.json()) as ErrorJson).error.code).toBe("unauthorized");
  });

  it("GET is a 405 with Allow", async () => {
    const res = await gw("/v1/responses", { method: "GET" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
  });

  it("an upstream failure before any output is an HTTP error, not a stream", async () => {
    const res = await postJson("/v1/responses", { model: "m-all-down", input: "x", stream: true });
    expect(res.status).toBe(502);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(((await res.json()) as ErrorJson).error.code).toBe("upstream_error");
  });
});
