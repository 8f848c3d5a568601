import { describe, expect, it } from "vitest";
import { gw, nonce, postJson, upstreamRequests, userMessage } from "../helpers/gateway";
import { TEST_KEYS } from "../helpers/keys";

interface Envelope {
  type: string;
  error: { message: string; type: string; code: string; param: string | null };
  request_id: string;
}

async function expectError(res: Response, status: number, code: string, param?: string | null): Promise<Envelope> {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/json");
  const body = (await res.json()) as Envelope;
  expect(body.type).toBe("error");
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe("string");
  expect(body.request_id).toBe(res.headers.get("x-request-id"));
  if (param !== undefined) expect(body.error.param).toBe(param);
  return body;
}

describe("POST /v1/chat/completions — bad input", () => {
  it("rejects invalid JSON", async () => {
    await expectError(await gw("/v1/chat/completions", { method: "POST", body: "{nope" }), 400, "invalid_json");
  });

  it("rejects an empty body and a non-JSON content type", async () => {
    await expectError(await gw("/v1/chat/completions", { method: "POST", body: "" }), 400, "invalid_json");
    await expectError(
      await gw("/v1/chat/completions", { method: "POST", body: "x", headers: { "content-type": "text/plain" } }),
      415,
      "unsupported_media_type",
    );
  });

  it.each([
    [{ messages: userMessage("x") }, "model"],
    [{ model: "m-openai", messages: [] }, "messages"],
    [{ model: "m-openai", messages: [{ role: "wizard", content: "x" }] }, "messages.0.role"],
    [{ model: "m-openai", messages: userMessage("x"), temperature: 3 }, "temperature"],
    [{ model: "m-openai", messages: userMessage("x"), n: 0 }, "n"],
    [{ model: "m-openai", messages: userMessage("x"), max_tokens: -1 }, "max_tokens"],
  ])("names the offending field (%j)", async (body, param) => {
    await expectError(await postJson("/v1/chat/completions", body), 400, "invalid_request", param);
  });

  it("refuses max_tokens above the model's output limit instead of clamping", async () => {
    const n = nonce();
    const res = await postJson("/v1/chat/completions", {
      model: "m-openai",
      messages: userMessage(n),
      max_tokens: 999999,
    });
    await expectError(res, 400, "invalid_request", "max_tokens");
    expect(await upstreamRequests(n)).toHaveLength(0);
  });

  it("refuses parameters no target of the model can honour", async () => {
    const res = await postJson("/v1/chat/completions", { model: "m-anthropic", messages: userMessage("x"), n: 2 });
    await expectError(res, 400, "unsupported_parameter", "n");
  });

  it("distinguishes unknown models from models the tenant may not use", async () => {
    await expectError(
      await postJson("/v1/chat/completions", { model: "nope", messages: userMessage("x") }),
      404,
      "model_not_found",
      "model",
    );
    const res = await postJson(
      "/v1/chat/completions",
      { model: "m-openai", messages: userMessage("x") },
      { key: TEST_KEYS.restricted.key },
    );
    await expectError(res, 403, "model_not_allowed", "model");
  });

  it("returns 413 for an oversized body before authenticating", async () => {
    const big = JSON.stringify({ model: "m-openai", messages: userMessage("x".repeat(70_000)) });
    await expectError(
      await gw("/v1/chat/completions", { method: "POST", body: big, key: null }),
      413,
      "payload_too_large",
    );
    const declared = await gw("/v1/chat/completions", {
      method: "POST",
      body: "{}",
      key: null,
      headers: { "content-length": "10000000" },
    });
    expect(declared.status).toBe(413);
  });

  it("answers wrong methods with 405 and Allow, unknown paths with 404", async () => {
    const wrong = await gw("/v1/chat/completions", { method: "GET" });
    await expectError(wrong, 405, "method_not_allowed");
    expect(wrong.headers.get("allow")).toBe("POST");
    await expectError(await gw("/v1/nothing-here"), 404, "not_found");
    await expectError(await gw("/elsewhere", { key: null }), 404, "not_found");
  });
});

describe("upstream failures map to stable gateway codes", () => {
  it("reports all targets failing as upstream_error with a generic message", async () => {
    const n = nonce();
    const body = await expectError(
      await postJson("/v1/chat/completions", { model: "m-all-down", messages: userMessage(n) }),
      502,
      "upstream_error",
    );
    expect(body.error.message).not.toMatch(/fake|overloaded_error|"error"/i);
  });

  it("reports an unparseable upstream answer as upstream_bad_response", async () => {
    await expectError(
      await postJson("/v1/chat/completions", { model: "m-garbage", messages: userMessage(nonce()) }),
      502,
      "upstream_bad_response",
    );
  });

  it("reports upstream rate limiting distinctly", async () => {
    await expectError(
      await postJson("/v1/chat/completions", { model: "m-ratelimited", messages: userMessage(nonce()) }),
      503,
      "upstream_rate_limited",
    );
  });
});
