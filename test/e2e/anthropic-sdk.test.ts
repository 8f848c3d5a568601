import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningGateway, startGateway } from "./harness";

let gw: RunningGateway;
let client: Anthropic;

beforeAll(async () => {
  gw = await startGateway();
  client = new Anthropic({ apiKey: gw.key, baseURL: gw.url, maxRetries: 0 });
});
afterAll(async () => {
  await gw?.close();
});

describe("official @anthropic-ai/sdk against wrangler dev (Anthropic ingress, OpenAI-compatible origin)", () => {
  it("creates a message", async () => {
    const msg = await client.messages.create({
      model: "small",
      max_tokens: 64,
      system: "You are terse.",
      messages: [{ role: "user", content: "Hello there" }],
    });
    expect(msg.type).toBe("message");
    expect(msg.role).toBe("assistant");
    const text = msg.content.map((b) => (b.type === "text" ? b.text : "")).join("");
    expect(text).toContain("local origin");
    expect(msg.stop_reason).toBe("end_turn");
    expect(msg.usage.output_tokens).toBeGreaterThan(0);
  });

  it("streams a message with the documented event sequence", async () => {
    const stream = client.messages.stream({
      model: "small",
      max_tokens: 64,
      messages: [{ role: "user", content: "Stream please" }],
    });
    const types: string[] = [];
    stream.on("streamEvent", (e) => types.push(e.type));
    const final = await stream.finalMessage();
    expect(types[0]).toBe("message_start");
    expect(types).toContain("content_block_delta");
    expect(types.at(-2)).toBe("message_delta");
    expect(types.at(-1)).toBe("message_stop");
    expect(final.usage.output_tokens).toBeGreaterThan(0);
    expect(final.content[0]?.type).toBe("text");
  });

  it("round-trips tool use", async () => {
    const msg = await client.messages.create({
      model: "auto",
      max_tokens: 128,
      tools: [
        {
          name: "lookup",
          description: "Look something up",
          input_schema: { type: "object", properties: { query: { type: "string" } } },
        },
      ],
      messages: [{ role: "user", content: "Look up the capital of France" }],
    });
    expect(msg.stop_reason).toBe("tool_use");
    const use = msg.content.find((b) => b.type === "tool_use");
    expect(use?.type === "tool_use" && use.name).toBe("lookup");
  });

  it("surfaces gateway errors", async () => {
    const err = await client.messages
      .create({ model: "no-such-model", max_tokens: 8, messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.NotFoundError);
    const body = (err as InstanceType<typeof Anthropic.NotFoundError>).error as { error?: { code?: string } };
    expect(body.error?.code).toBe("model_not_found");
    // The SDK reads `request-id` (not `x-request-id`) into err.requestID.
    expect((err as InstanceType<typeof Anthropic.NotFoundError>).requestID).toMatch(/^req_/);
  });

  it("counts tokens (the gateway's estimate for a non-Anthropic upstream, labelled)", async () => {
    const { data, response } = await client.messages
      .countTokens({ model: "small", messages: [{ role: "user", content: "How many tokens is this?" }] })
      .withResponse();
    expect(data.input_tokens).toBeGreaterThan(0);
    expect(response.headers.get("x-gateway-token-count")).toBe("estimate");
    expect(response.headers.get("request-id")).toMatch(/^req_/);
  });
});
