import { createOpenAI } from "@ai-sdk/openai";
import { APICallError, generateText, stepCountIs, streamText, tool } from "ai";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { type RunningGateway, startGateway } from "./harness";

/**
 * /v1/responses with the clients people use, unchanged, against the production Worker under `wrangler dev`: the
 * official `openai` SDK (`responses.create`, `responses.stream`) and the Vercel AI SDK's default OpenAI provider
 * (`openai(model)` speaks the Responses API).
 */

let gw: RunningGateway;
let client: OpenAI;
let provider: ReturnType<typeof createOpenAI>;

beforeAll(async () => {
  gw = await startGateway();
  client = new OpenAI({ apiKey: gw.key, baseURL: `${gw.url}/v1`, maxRetries: 0 });
  provider = createOpenAI({ apiKey: gw.key, baseURL: `${gw.url}/v1` });
});
afterAll(async () => {
  await gw?.close();
});

const weatherTool: OpenAI.Responses.FunctionTool = {
  type: "function",
  name: "get_weather",
  description: "Weather for a city",
  parameters: {
    type: "object",
    properties: { city: { type: "string" } },
    required: ["city"],
    additionalProperties: false,
  },
  strict: true,
};

describe("official openai SDK: responses", () => {
  it("responses.create answers with output_text, usage and the gateway's headers", async () => {
    const { data, response } = await client.responses
      .create({ model: "auto", instructions: "Be brief.", input: "Say hello to the gateway", metadata: { run: "e2e" } })
      .withResponse();
    expect(data.object).toBe("response");
    expect(data.status).toBe("completed");
    expect(data.output_text).toContain("local origin");
    expect(data.metadata).toEqual({ run: "e2e" });
    expect(data.usage?.output_tokens).toBeGreaterThan(0);
    expect(response.headers.get("x-gateway-model")).toBe("small");
    expect(response.headers.get("x-gateway-provider")).toBe("local-origin");
  });

  it("returns function calls, and answers once their outputs come back", async () => {
    const first = await client.responses.create({
      model: "small",
      input: [{ role: "user", content: "What is the weather in Paris?" }],
      tools: [weatherTool],
    });
    const call = first.output.find((o) => o.type === "function_call");
    expect(call?.type === "function_call" && call.name).toBe("get_weather");
    if (call?.type !== "function_call") return;
    const second = await client.responses.create({
      model: "small",
      input: [
        { role: "user", content: "What is the weather in Paris?" },
        ...(first.output as OpenAI.Responses.ResponseInputItem[]),
        { type: "function_call_output", call_id: call.call_id, output: '{"temperature":14}' },
      ],
      tools: [weatherTool],
    });
    expect(second.output_text).toContain("tool result received");
  });

  it("responses.stream delivers deltas and a final response", async () => {
    const stream = client.responses.stream({ model: "small", input: "Stream a short answer" });
    let text = "";
    const types = new Set<string>();
    for await (const event of stream) {
      types.add(event.type);
      if (event.type === "response.output_text.delta") text += event.delta;
    }
    const final = await stream.finalResponse();
    expect(text).toContain("local origin");
    expect(final.output_text).toBe(text);
    expect(final.status).toBe("completed");
    expect(final.usage?.output_tokens).toBeGreaterThan(0);
    expect([...types]).toEqual(
      expect.arrayContaining(["response.created", "response.output_item.added", "response.completed"]),
    );
  });

  it("streams function call arguments with responses.create({ stream: true })", async () => {
    const stream = await client.responses.create({
      model: "small",
      input: "What is the weather in Oslo?",
      tools: [weatherTool],
      stream: true,
    });
    let args = "";
    let done: OpenAI.Responses.Response | undefined;
    for await (const event of stream) {
      if (event.type === "response.function_call_arguments.delta") args += event.delta;
      if (event.type === "response.completed") done = event.response;
    }
    expect(JSON.parse(args)).toBeTypeOf("object");
    expect(done?.output.find((o) => o.type === "function_call")).toMatchObject({
      name: "get_weather",
      arguments: args,
    });
  });

  it("runs a gateway tool in the loop", async () => {
    const { data, response } = await client.responses
      .create({
        model: "auto",
        input: "Search for edge inference gateways",
        tools: [{ type: "function", name: "local_search", parameters: null, strict: null }],
      })
      .withResponse();
    expect(data.output_text).toContain('tool result received: {"tool":"local_search"');
    expect(response.headers.get("x-gateway-tool-calls")).toBe("1");
  });

  it("surfaces refusals through the SDK's error classes, naming the parameter", async () => {
    const stored = await client.responses.create({ model: "small", input: "hi", store: true }).catch((e: unknown) => e);
    expect(stored).toBeInstanceOf(OpenAI.BadRequestError);
    expect((stored as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("store");

    const chained = await client.responses
      .create({ model: "small", input: "hi", previous_response_id: "resp_123" })
      .catch((e: unknown) => e);
    expect((chained as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("previous_response_id");

    const unknown = await client.responses.create({ model: "no-such-model", input: "hi" }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect((unknown as InstanceType<typeof OpenAI.NotFoundError>).code).toBe("model_not_found");
  });
});

describe("Vercel AI SDK, default OpenAI provider (Responses API)", () => {
  it("generateText", async () => {
    const result = await generateText({ model: provider("small"), prompt: "Say hello", maxRetries: 0 });
    expect(result.text).toContain("local origin");
    expect(result.finishReason).toBe("stop");
    expect(result.usage.outputTokens).toBeGreaterThan(0);
    expect(result.response.id).toMatch(/^resp_/);
  });

  it("streamText", async () => {
    const result = streamText({ model: provider("small"), prompt: "Stream a short answer", maxRetries: 0 });
    let text = "";
    for await (const delta of result.textStream) text += delta;
    expect(text).toContain("local origin");
    expect(await result.finishReason).toBe("stop");
    expect((await result.usage).outputTokens).toBeGreaterThan(0);
  });

  const tools = {
    get_weather: tool({
      description: "Weather for a city",
      inputSchema: z.object({ query: z.string() }),
      execute: async ({ query }) => ({ city: query, temperature: 14 }),
    }),
  };

  it("generateText with tools: the SDK runs the tool and the model answers with its result", async () => {
    const result = await generateText({
      model: provider("small"),
      prompt: "What is the weather in Paris?",
      tools,
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    expect(result.steps).toHaveLength(2);
    expect(result.steps[0]?.toolCalls[0]?.toolName).toBe("get_weather");
    expect(result.steps[0]?.toolResults[0]?.output).toMatchObject({ temperature: 14 });
    expect(result.text).toContain("tool result received");
  });

  it("streamText with tools", async () => {
    const result = streamText({
      model: provider("small"),
      prompt: "What is the weather in Oslo?",
      tools,
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    let text = "";
    for await (const delta of result.textStream) text += delta;
    const steps = await result.steps;
    expect(steps[0]?.toolCalls[0]?.toolName).toBe("get_weather");
    expect(text).toContain("tool result received");
  });

  it("continues a conversation statelessly with store: false; by default the SDK refers to stored items and is told so", async () => {
    const first = await generateText({ model: provider("small"), prompt: "Hello there", maxRetries: 0 });
    const messages = [...first.response.messages, { role: "user" as const, content: "And again" }];
    const next = await generateText({
      model: provider("small"),
      messages,
      providerOptions: { openai: { store: false } },
      maxRetries: 0,
    });
    expect(next.text).toContain("local origin");

    const err = await generateText({ model: provider("small"), messages, maxRetries: 0 }).catch((e: unknown) => e);
    expect(APICallError.isInstance(err)).toBe(true);
    expect((err as APICallError).statusCode).toBe(400);
    expect((err as APICallError).message).toMatch(/store: false/);
  });

  it("a refusal surfaces as an APICallError with the gateway's message", async () => {
    const err = await generateText({
      model: provider("small"),
      prompt: "hi",
      providerOptions: { openai: { previousResponseId: "resp_123" } },
      maxRetries: 0,
    }).catch((e: unknown) => e);
    expect(APICallError.isInstance(err)).toBe(true);
    expect((err as APICallError).statusCode).toBe(400);
    expect((err as APICallError).message).toMatch(/previous_response_id/);
  });
});
