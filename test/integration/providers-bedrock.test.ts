import { describe, expect, it } from "vitest";
import { nonce, postJson, readSse, upstreamRequests, userMessage } from "../helpers/gateway";

/**
 * AWS Bedrock Converse / ConverseStream through the gateway, against the fake upstream, which verifies every SigV4
 * signature independently (test/servers/sigv4-verify.ts) and answers ConverseStream with real binary event-stream
 * frames (CRCs included).
 */

interface ChatBody {
  choices: {
    message: { content: string | null; tool_calls?: { function: { name: string; arguments: string } }[] };
    finish_reason: string;
  }[];
  usage: { prompt_tokens: number; completion_tokens: number; prompt_tokens_details?: Record<string, number> };
}

const weatherTool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Weather",
    parameters: { type: "object", properties: { query: { type: "string" } } },
  },
};

describe("Bedrock Converse (SigV4-signed)", () => {
  it("answers a JSON request through a signed Converse call, with usage mapped", async () => {
    const n = nonce("bedrock");
    const res = await postJson("/v1/chat/completions", {
      model: "m-bedrock",
      messages: [{ role: "system", content: "be brief" }, ...userMessage(`hello ${n}`)],
      max_tokens: 50,
      temperature: 0.2,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-gateway-provider")).toBe("fake-bedrock");
    const body = (await res.json()) as ChatBody;
    expect(body.choices[0]?.message.content).toContain("echo:");
    expect(body.choices[0]?.finish_reason).toBe("stop");
    expect(body.usage.prompt_tokens).toBeGreaterThan(0);
    expect(body.usage.completion_tokens).toBeGreaterThan(0);

    const [seen] = await upstreamRequests(n);
    // The model id is URL-encoded in the path (its `:` is signed double-encoded, as AWS canonicalises it).
    expect(seen?.path).toBe("/bedrock/model/anthropic.claude-3-5-haiku-20241022-v1:0/converse");
    expect(seen?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDFAKEBEDROCKTEST1\/\d{8}\/us-east-1\/bedrock\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/,
    );
    expect(seen?.headers["x-amz-date"]).toMatch(/^\d{8}T\d{6}Z$/);
    const sent = seen?.body as Record<string, unknown>;
    expect(sent.system).toEqual([{ text: "be brief" }]);
    expect(sent.inferenceConfig).toEqual({ maxTokens: 50, temperature: 0.2 });
    expect(sent.messages).toEqual([{ role: "user", content: [{ text: `hello ${n}` }] }]);
  });

  it("streams ConverseStream's binary event stream as OpenAI chunks, usage last", async () => {
    const n = nonce("bedrock-stream");
    const res = await postJson("/v1/chat/completions", {
      model: "m-bedrock",
      stream: true,
      stream_options: { include_usage: true },
      messages: userMessage(`stream ${n}`),
    });
    expect(res.status).toBe(200);
    const events = await readSse(res);
    expect(events.at(-1)?.data).toBe("[DONE]");
    const chunks = events.slice(0, -1).map(
      (e) =>
        JSON.parse(e.data) as {
          choices: { delta: { content?: string }; finish_reason: string | null }[];
          usage?: { completion_tokens: number };
        },
    );
    const text = chunks.flatMap((c) => c.choices.map((ch) => ch.delta.content ?? "")).join("");
    expect(text).toContain(`echo: stream ${n}`);
    expect(chunks.some((c) => c.choices[0]?.finish_reason === "stop")).toBe(true);
    expect(chunks.at(-1)?.usage?.completion_tokens).toBeGreaterThan(0);
    const [seen] = await upstreamRequests(n);
    expect(seen?.path).toMatch(/\/converse-stream$/);
  });

  it("maps tool calls both ways (toolSpec out, toolUse back as tool_calls)", async () => {
    const n = nonce("bedrock-tools");
    const res = await postJson("/v1/chat/completions", {
      model: "m-bedrock",
      messages: userMessage(`weather ${n}`),
      tools: [weatherTool],
      tool_choice: "required",
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as ChatBody;
    expect(body.choices[0]?.finish_reason).toBe("tool_calls");
    const call = body.choices[0]?.message.tool_calls?.[0];
    expect(call?.function.name).toBe("get_weather");
    expect(JSON.parse(call?.function.arguments ?? "{}")).toEqual({ query: `weather ${n}` });
    const [seen] = await upstreamRequests(n);
    const sent = seen?.body as { toolConfig: unknown };
    expect(sent.toolConfig).toEqual({
      tools: [
        {
          toolSpec: {
            name: "get_weather",
            description: "Weather",
            inputSchema: { json: weatherTool.function.parameters },
          },
        },
      ],
      toolChoice: { any: {} },
    });
  });

  it("streams a tool call with its input JSON in slices", async () => {
    const n = nonce("bedrock-tools-stream");
    const res = await postJson("/v1/chat/completions", {
      model: "m-bedrock",
      stream: true,
      messages: userMessage(`weather ${n}`),
      tools: [weatherTool],
    });
    const chunks = (await readSse(res)).slice(0, -1).map(
      (e) =>
        JSON.parse(e.data) as {
          choices: {
            delta: { tool_calls?: { function?: { name?: string; arguments?: string } }[] };
            finish_reason: string | null;
          }[];
        },
    );
    const calls = chunks.flatMap((c) => c.choices.flatMap((ch) => ch.delta.tool_calls ?? []));
    expect(calls[0]?.function?.name).toBe("get_weather");
    expect(JSON.parse(calls.map((c) => c.function?.arguments ?? "").join(""))).toEqual({ query: `weather ${n}` });
    expect(chunks.some((c) => c.choices[0]?.finish_reason === "tool_calls")).toBe(true);
  });

  it("falls back to the next target when Bedrock throttles (429 ThrottlingException)", async () => {
    const n = nonce("bedrock-throttle");
    const res = await postJson("/v1/chat/completions", { model: "m-bedrock-throttled", messages: userMessage(n) });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-gateway-provider")).toBe("fake-openai");
    const seen = await upstreamRequests(n);
    expect(seen.map((r) => r.path)).toEqual([
      "/bedrock/model/amazon.nova-lite-v1:0;status=429/converse",
      "/v1/chat/completions",
    ]);
  });

  it.each([
    ["a wrong secret key", "m-bedrock-badsig"],
    ["a signature for another region", "m-bedrock-wrong-region"],
  ])("refuses %s: the fake verifies the signature and answers 403", async (_, model) => {
    const n = nonce("bedrock-badsig");
    const res = await postJson("/v1/chat/completions", { model, messages: userMessage(n) });
    expect(res.status).toBe(502);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("upstream_error");
    expect(body.error.message).toContain("403");
    const seen = await upstreamRequests(n);
    expect(seen.length).toBe(1);
  });
});
