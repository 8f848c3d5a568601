import type Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeUpstream, startFakeUpstream } from "../../servers/fake-upstream";
import { anthropicClient, collectSse, postJson } from "./helpers";

let fake: FakeUpstream;
let client: Anthropic;

beforeAll(async () => {
  fake = await startFakeUpstream();
  client = anthropicClient(`${fake.url}/anthropic`);
});
afterAll(() => fake.close());

const TOOLS: Anthropic.Tool[] = [
  { name: "search_docs", input_schema: { type: "object", properties: { query: { type: "string" } } } },
];

function textOf(message: Anthropic.Message): string {
  return message.content.map((b) => (b.type === "text" ? b.text : "")).join("");
}

describe("fake upstream, Anthropic Messages wire format, through the official SDK", () => {
  it("answers messages.create with text, stop_reason and usage", async () => {
    const msg = await client.messages.create({
      model: "claude-fake",
      max_tokens: 100,
      system: "be brief",
      messages: [{ role: "user", content: "hello from the test" }],
    });
    expect(msg.type).toBe("message");
    expect(msg.model).toBe("claude-fake");
    expect(textOf(msg)).toBe("echo: hello from the test lorem ipsum dolor");
    expect(msg.stop_reason).toBe("end_turn");
    expect(msg.usage).toMatchObject({ input_tokens: 6, output_tokens: 8 });
  });

  it("stops at max_tokens with stop_reason max_tokens", async () => {
    const msg = await client.messages.create({
      model: "claude-fake",
      max_tokens: 4,
      messages: [{ role: "user", content: [{ type: "text", text: "a b c d e f" }] }],
    });
    expect(textOf(msg)).toBe("echo: a b c");
    expect(msg.stop_reason).toBe("max_tokens");
    expect(msg.usage.output_tokens).toBe(4);
  });

  it("streams the documented event sequence; finalMessage has usage and stop_reason", async () => {
    const stream = client.messages.stream({
      model: "claude-fake",
      max_tokens: 100,
      messages: [{ role: "user", content: "stream this answer" }],
    });
    const types: string[] = [];
    stream.on("streamEvent", (ev) => types.push(ev.type));
    const final = await stream.finalMessage();
    expect(textOf(final)).toBe("echo: stream this answer lorem ipsum dolor sit");
    expect(final.stop_reason).toBe("end_turn");
    expect(final.usage).toMatchObject({ input_tokens: 3, output_tokens: 8 });
    // The SDK swallows `ping`; the raw sequence is checked below.
    expect(types.slice(0, 2)).toEqual(["message_start", "content_block_start"]);
    expect(types.slice(-3)).toEqual(["content_block_stop", "message_delta", "message_stop"]);
    expect(types.filter((t) => t === "content_block_delta")).toHaveLength(8);
  });

  it("names every SSE event after its type, with a ping after content_block_start", async () => {
    const res = await postJson(`${fake.url}/anthropic/v1/messages`, {
      model: "claude-fake;tokens=2",
      max_tokens: 10,
      stream: true,
      messages: [{ role: "user", content: "hi" }],
    });
    const { events, error } = await collectSse(res);
    expect(error).toBeUndefined();
    expect(events.map((e) => e.event)).toEqual([
      "message_start",
      "content_block_start",
      "ping",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    for (const e of events) expect((JSON.parse(e.data) as { type: string }).type).toBe(e.event);
    expect(JSON.parse(events[6]?.data ?? "{}")).toEqual({
      type: "message_delta",
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: { output_tokens: 2 },
    });
  });

  it("calls the first tool (JSON and streamed input_json_delta)", async () => {
    const params = {
      model: "claude-fake",
      max_tokens: 100,
      tools: TOOLS,
      messages: [{ role: "user" as const, content: "weather in Paris" }],
    };
    const json = await client.messages.create(params);
    expect(json.stop_reason).toBe("tool_use");
    expect(json.content[0]).toMatchObject({
      type: "tool_use",
      name: "search_docs",
      input: { query: "weather in Paris" },
    });
    const streamed = await client.messages.stream(params).finalMessage();
    expect(streamed.stop_reason).toBe("tool_use");
    expect(streamed.content[0]).toMatchObject({
      type: "tool_use",
      name: "search_docs",
      input: { query: "weather in Paris" },
    });
    expect(streamed.usage.output_tokens).toBe(json.usage.output_tokens);
  });

  it("acknowledges a tool_result block", async () => {
    const msg = await client.messages.create({
      model: "claude-fake",
      max_tokens: 100,
      tools: TOOLS,
      messages: [
        { role: "user", content: "weather in Paris" },
        { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "search_docs", input: {} }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "sunny, 21 degrees" }] },
      ],
    });
    expect(msg.stop_reason).toBe("end_turn");
    expect(textOf(msg)).toBe("tool result received: sunny, 21 degrees");
  });

  it("refuses a body without max_tokens with an Anthropic-shaped error", async () => {
    const res = await fetch(`${fake.url}/anthropic/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "claude-fake", messages: [{ role: "user", content: "x" }] }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
  });

  it("records the credential and anthropic-version headers as sent", async () => {
    fake.clear();
    await client.messages.create({ model: "claude-fake", max_tokens: 5, messages: [{ role: "user", content: "x" }] });
    await postJson(
      `${fake.url}/anthropic/v1/messages`,
      { model: "claude-fake", max_tokens: 5, messages: [{ role: "user", content: "y" }] },
      { "x-api-key": "raw-key", "anthropic-version": "2023-06-01" },
    );
    const [sdk, raw] = fake.requests();
    expect(sdk?.path).toBe("/anthropic/v1/messages");
    // This SDK version sends `apiKey` as a bearer token; the fake records whatever arrives.
    expect(sdk?.headers["x-api-key"] ?? sdk?.headers.authorization).toContain("ak-test-key");
    expect(sdk?.headers["anthropic-version"]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(raw?.headers["x-api-key"]).toBe("raw-key");
    expect(raw?.headers["anthropic-version"]).toBe("2023-06-01");
  });
});
