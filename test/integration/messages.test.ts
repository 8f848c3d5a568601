import { describe, expect, it } from "vitest";
import { nonce, postJson, readSse, upstreamRequests } from "../helpers/gateway";

interface AnthropicMessage {
  type: string;
  role: string;
  content: { type: string; text?: string; name?: string; input?: unknown }[];
  stop_reason: string;
  usage: { input_tokens: number; output_tokens: number };
}

describe("POST /v1/messages — happy paths (Anthropic ingress, any upstream)", () => {
  it.each(["m-anthropic", "m-openai", "m-gemini", "m-origin"])(
    "answers through %s in Anthropic's shape",
    async (model) => {
      const n = nonce();
      const res = await postJson("/v1/messages", {
        model,
        max_tokens: 32,
        system: "Be brief.",
        messages: [{ role: "user", content: [{ type: "text", text: `hello ${n}` }] }],
      });
      expect(res.status).toBe(200);
      const msg = (await res.json()) as AnthropicMessage;
      expect(msg.type).toBe("message");
      expect(msg.role).toBe("assistant");
      expect(msg.content[0]?.type).toBe("text");
      expect(msg.stop_reason).toBe("end_turn");
      expect(msg.usage.output_tokens).toBeGreaterThan(0);
      expect(res.headers.get("x-gateway-model")).toBe(model);
      expect(await upstreamRequests(n)).toHaveLength(1);
    },
  );

  it("streams the documented event sequence from an OpenAI-compatible upstream", async () => {
    const res = await postJson("/v1/messages", {
      model: "m-openai",
      max_tokens: 32,
      stream: true,
      messages: [{ role: "user", content: `stream ${nonce()}` }],
    });
    expect(res.status).toBe(200);
    const events = (await readSse(res)).map((e) => e.event);
    expect(events[0]).toBe("message_start");
    expect(events).toContain("content_block_start");
    expect(events).toContain("content_block_delta");
    expect(events.at(-2)).toBe("message_delta");
    expect(events.at(-1)).toBe("message_stop");
  });

  it("round-trips tool use", async () => {
    const res = await postJson("/v1/messages", {
      model: "m-openai",
      max_tokens: 64,
      tools: [{ name: "lookup", input_schema: { type: "object", properties: { query: { type: "string" } } } }],
      messages: [{ role: "user", content: `find ${nonce()}` }],
    });
    const msg = (await res.json()) as AnthropicMessage;
    expect(msg.stop_reason).toBe("tool_use");
    const use = msg.content.find((b) => b.type === "tool_use");
    expect(use?.name).toBe("lookup");
    expect(use?.input).toHaveProperty("query");
  });
});

describe("POST /v1/messages — bad input", () => {
  it.each([
    [{ model: "m-openai", messages: [{ role: "user", content: "x" }] }, "max_tokens"],
    [{ model: "m-openai", max_tokens: 8, messages: [{ role: "system", content: "x" }] }, "messages.0.role"],
    [{ model: "m-openai", max_tokens: 8, messages: [{ role: "user", content: "x" }], temperature: 2 }, "temperature"],
  ])("refuses %j naming the field", async (body, param) => {
    const res = await postJson("/v1/messages", body);
    expect(res.status).toBe(400);
    const err = (await res.json()) as { type: string; error: { code: string; param: string } };
    expect(err.type).toBe("error");
    expect(err.error.code).toBe("invalid_request");
    expect(err.error.param).toBe(param);
  });

  it("reports an unknown model in the shared envelope", async () => {
    const res = await postJson("/v1/messages", {
      model: "nope",
      max_tokens: 8,
      messages: [{ role: "user", content: "x" }],
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("model_not_found");
  });
});
