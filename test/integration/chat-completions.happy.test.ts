import { describe, expect, it } from "vitest";
import { nonce, postJson, readSse, upstreamRequests, userMessage } from "../helpers/gateway";

describe("POST /v1/chat/completions — happy paths", () => {
  it("routes a JSON request to an OpenAI-compatible upstream, passing unknown fields and the provider secret", async () => {
    const n = nonce();
    const res = await postJson("/v1/chat/completions", {
      model: "m-openai",
      messages: userMessage(`hello ${n}`),
      seed: 7,
      logprobs: false,
      vendor_extension: { keep: true },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { object: string; choices: { message: { content: string } }[]; usage: unknown };
    expect(body.object).toBe("chat.completion");
    expect(body.choices[0]?.message.content).toBeTruthy();
    expect(res.headers.get("x-request-id")).toMatch(/^req_[0-9a-f]{32}$/);
    expect(res.headers.get("x-gateway-model")).toBe("m-openai");
    expect(res.headers.get("x-gateway-provider")).toBe("fake-openai");
    expect(res.headers.get("x-gateway-attempts")).toBe("1");
    expect(res.headers.get("x-gateway-policy-version")).toMatch(/^sha256:[0-9a-f]{16}$/);

    const [seen] = await upstreamRequests(n);
    expect(seen?.path).toBe("/v1/chat/completions");
    expect(seen?.headers.authorization).toBe("Bearer fake-openai-secret");
    const sent = seen?.body as Record<string, unknown>;
    expect(sent.model).toBe("fake-small");
    expect(sent.seed).toBe(7);
    expect(sent.vendor_extension).toEqual({ keep: true });
  });

  it("streams from an OpenAI-compatible upstream, asking it for usage but not forwarding usage unasked", async () => {
    const n = nonce();
    const res = await postJson("/v1/chat/completions", { model: "m-openai", stream: true, messages: userMessage(n) });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const events = await readSse(res);
    expect(events.at(-1)?.data).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data) as { choices: unknown[]; usage?: unknown });
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((c) => c.choices.length > 0)).toBe(true);
    const [seen] = await upstreamRequests(n);
    expect((seen?.body as { stream_options?: unknown } | undefined)?.stream_options).toEqual({ include_usage: true });
  });

  it("forwards the usage chunk when the client asked for it", async () => {
    const res = await postJson("/v1/chat/completions", {
      model: "m-openai",
      stream: true,
      stream_options: { include_usage: true },
      messages: userMessage(nonce()),
    });
    const events = await readSse(res);
    const last = JSON.parse(events.at(-2)?.data ?? "{}") as {
      choices: unknown[];
      usage?: { completion_tokens: number };
    };
    expect(last.choices).toEqual([]);
    expect(last.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it.each([
    ["m-anthropic", "/anthropic/v1/messages", "x-api-key", "fake-anthropic-secret"],
    ["m-gemini", "/gemini/v1beta/models/", "x-goog-api-key", "fake-gemini-secret"],
    ["m-origin", "/v1/chat/completions", "authorization", undefined],
  ])("translates %s both ways (JSON)", async (model, pathPrefix, authHeader, secret) => {
    const n = nonce();
    const res = await postJson("/v1/chat/completions", {
      model,
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: `hi ${n}` },
      ],
      max_tokens: 20,
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      choices: { message: { role: string; content: string }; finish_reason: string }[];
      usage: { prompt_tokens: number; completion_tokens: number };
    };
    expect(body.choices[0]?.message.role).toBe("assistant");
    expect(body.choices[0]?.message.content.length).toBeGreaterThan(0);
    expect(body.choices[0]?.finish_reason).toBe("stop");
    expect(body.usage.completion_tokens).toBeGreaterThan(0);
    const [seen] = await upstreamRequests(n);
    expect(seen?.path.startsWith(pathPrefix)).toBe(true);
    expect(seen?.headers[authHeader]).toBe(secret === undefined ? undefined : secret);
  });

  it.each(["m-anthropic", "m-gemini", "m-origin"])("streams %s as OpenAI chunks", async (model) => {
    const res = await postJson("/v1/chat/completions", {
      model,
      stream: true,
      stream_options: { include_usage: true },
      messages: userMessage(nonce()),
    });
    expect(res.status).toBe(200);
    const events = await readSse(res);
    expect(events.at(-1)?.data).toBe("[DONE]");
    const chunks = events
      .slice(0, -1)
      .map(
        (e) => JSON.parse(e.data) as { object: string; choices: { delta: { content?: string } }[]; usage?: unknown },
      );
    expect(chunks.every((c) => c.object === "chat.completion.chunk")).toBe(true);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(text.length).toBeGreaterThan(0);
    expect(chunks.some((c) => c.usage)).toBe(true);
  });

  it("returns tool calls from each provider format", async () => {
    for (const model of ["m-openai", "m-anthropic", "m-gemini"]) {
      const res = await postJson("/v1/chat/completions", {
        model,
        messages: userMessage(`find ${nonce()}`),
        tools: [{ type: "function", function: { name: "search", parameters: { type: "object", properties: {} } } }],
      });
      const body = (await res.json()) as {
        choices: {
          finish_reason: string;
          message: { tool_calls?: { function: { name: string; arguments: string } }[] };
        }[];
      };
      expect(body.choices[0]?.finish_reason, model).toBe("tool_calls");
      const call = body.choices[0]?.message.tool_calls?.[0];
      expect(call?.function.name, model).toBe("search");
      expect(JSON.parse(call?.function.arguments ?? "null"), model).toHaveProperty("query");
    }
  });
});

describe("routing rules pick a tier from request attributes", () => {
  it.each([
    ["a task-type header", { "x-gateway-task-type": "reasoning" }, {}, "m-anthropic"],
    [
      "tools present",
      {},
      { tools: [{ type: "function", function: { name: "t", parameters: { type: "object" } } }] },
      "m-openai",
    ],
    ["a long prompt", {}, { messages: userMessage("word ".repeat(3000)) }, "m-gemini"],
    ["nothing special (default)", {}, {}, "m-origin"],
  ])("%s", async (_label, headers, extra, expected) => {
    const res = await postJson(
      "/v1/chat/completions",
      { model: "auto", messages: userMessage(nonce()), ...extra },
      { headers: headers as Record<string, string> },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("x-gateway-model")).toBe(expected);
    expect(res.headers.get("x-gateway-route")).toBe("auto");
  });
});
