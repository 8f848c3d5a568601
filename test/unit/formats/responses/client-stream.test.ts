import { accumulateResponse } from "openai/lib/responses/ResponseAccumulator";
import type { ResponseStreamEvent, Response as SdkResponse } from "openai/resources/responses/responses";
import { describe, expect, it } from "vitest";
import type { ChatResponse, ChunkEvent, FinishReason } from "../../../../src/canonical/chat";
import { GatewayError } from "../../../../src/errors";
import { decodeAnthropicStream } from "../../../../src/formats/anthropic/upstream-stream";
import { parseOpenAIStream } from "../../../../src/formats/openai/upstream-stream";
import { canonicalToResponse, echoOf, statusOf } from "../../../../src/formats/responses/client-response";
import { encodeResponsesStream } from "../../../../src/formats/responses/client-stream";
import { parseResponsesRequest } from "../../../../src/formats/responses/request-schema";
import { parallelToolStream, textStream, toolStream } from "../../../fixtures/transcripts/anthropic-streams";
import {
  openaiCompletionJson,
  openaiTextStream,
  openaiToolCallCompletionJson,
  openaiToolStream,
} from "../../../fixtures/transcripts/openai-chat";
import {
  documentedFunctionCallStreamOrder,
  documentedResponseKeys,
  documentedTextStreamOrder,
} from "../../../fixtures/transcripts/openai-responses";
import { bodyOf, collect, sseEvents } from "../anthropic/helpers";

const ids = { responseId: "resp_0123456789abcdef0123456789abcdef", createdAt: 1_700_000_000 };

function echo(body: Record<string, unknown> = {}) {
  const parsed = parseResponsesRequest({ model: "m", input: "x", ...body });
  if (!parsed.ok) throw new Error(parsed.message);
  return echoOf(parsed.value);
}

describe("statusOf", () => {
  it.each<[FinishReason | null, string, string | null]>([
    ["stop", "completed", null],
    ["tool_calls", "completed", null],
    [null, "completed", null],
    ["length", "incomplete", "max_output_tokens"],
    ["content_filter", "incomplete", "content_filter"],
    ["tool_loop_limit", "incomplete", "tool_loop_limit"],
  ])("%s → %s (%s)", (finish, status, reason) => {
    const s = statusOf(finish);
    expect(s.status).toBe(status);
    expect(s.incomplete_details?.reason ?? null).toBe(reason);
  });
});

describe("canonicalToResponse (recorded chat completions)", () => {
  it("a text completion becomes one message item with the documented keys", () => {
    const r = canonicalToResponse(
      JSON.parse(openaiCompletionJson) as ChatResponse,
      ids,
      echo({ metadata: { a: "1" } }),
      5,
    );
    expect(Object.keys(r).sort()).toEqual(expect.arrayContaining([...documentedResponseKeys].sort()));
    expect(r).toMatchObject({
      id: ids.responseId,
      object: "response",
      created_at: ids.createdAt,
      completed_at: 5,
      status: "completed",
      model: "gpt-4o-mini-2024-07-18",
      metadata: { a: "1" },
      store: false,
      usage: {
        input_tokens: 19,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: 10,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: 29,
      },
    });
    expect(r.output).toEqual([
      {
        id: "msg_0123456789abcdef0123456789abcdef_0",
        type: "message",
        status: "completed",
        role: "assistant",
        content: [{ type: "output_text", text: "Bonjour ! Un café ☕ ?", annotations: [], logprobs: [] }],
      },
    ]);
  });

  it("a tool-call completion becomes function_call items (no empty message)", () => {
    const r = canonicalToResponse(JSON.parse(openaiToolCallCompletionJson) as ChatResponse, ids, echo(), 5);
    expect(r.output).toEqual([
      {
        id: "fc_0123456789abcdef0123456789abcdef_0",
        type: "function_call",
        status: "completed",
        call_id: "call_abc123",
        name: "get_current_weather",
        arguments: '{\n"location": "Boston, MA"\n}',
      },
    ]);
  });

  it("echoes the request's settings as the API does", () => {
    const e = echo({
      instructions: "I",
      tools: [{ type: "function", name: "f", parameters: { type: "object" } }],
      text: { format: { type: "json_object" } },
      temperature: 0.3,
      max_output_tokens: 10,
    });
    expect(e).toMatchObject({
      instructions: "I",
      tools: [{ type: "function", name: "f", parameters: { type: "object" }, strict: null }],
      text: { format: { type: "json_object" } },
      temperature: 0.3,
      max_output_tokens: 10,
      tool_choice: "auto",
      parallel_tool_calls: true,
      truncation: "disabled",
    });
  });
});

async function encode(events: AsyncIterable<ChunkEvent>) {
  const text = (
    await collect(encodeResponsesStream(events, { ids, echo: echo(), model: "up-model", now: () => 9 }))
  ).join("");
  return sseEvents(text).map((e) => {
    expect(e.data.type).toBe(e.event);
    return e.data as unknown as ResponseStreamEvent;
  });
}

/** The documented order with consecutive repeats (deltas) collapsed. */
function shape(events: ResponseStreamEvent[]): string[] {
  return events.map((e) => e.type).filter((t, i, all) => t !== all[i - 1]);
}

/** Replays the events through the official SDK's accumulator (what `responses.stream()` does). */
function accumulated(events: ResponseStreamEvent[]): SdkResponse {
  let snapshot: SdkResponse | undefined;
  for (const event of events) snapshot = accumulateResponse(event, snapshot);
  if (snapshot === undefined) throw new Error("no events");
  return snapshot;
}

const streams: [string, () => AsyncIterable<ChunkEvent>, string[]][] = [
  ["OpenAI text", () => parseOpenAIStream(bodyOf(openaiTextStream, 7), "m"), documentedTextStreamOrder],
  ["OpenAI tool call", () => parseOpenAIStream(bodyOf(openaiToolStream, 5), "m"), documentedFunctionCallStreamOrder],
  ["Anthropic text", () => decodeAnthropicStream(bodyOf(textStream, 9), "m"), documentedTextStreamOrder],
];

describe.each(streams)("encodeResponsesStream (%s transcript)", (_label, source, documented) => {
  it("follows the documented event order with contiguous sequence numbers", async () => {
    const events = await encode(source());
    expect(shape(events)).toEqual(documented);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
  });

  it("ends with a response whose output the SDK's accumulator rebuilds from the events", async () => {
    const events = await encode(source());
    const last = events.at(-1);
    if (last?.type !== "response.completed") throw new Error(`ended with ${last?.type}`);
    expect(last.response.usage?.output_tokens).toBeGreaterThan(0);
    expect(last.response.completed_at).toBe(9);
    const rebuilt = accumulated(events.slice(0, -1));
    expect(rebuilt.output).toEqual(last.response.output);
  });
});

describe("encodeResponsesStream, other shapes", () => {
  it("text then a tool call: the message closes before the call opens", async () => {
    const events = await encode(decodeAnthropicStream(bodyOf(toolStream), "m"));
    const t = shape(events);
    expect(t.indexOf("response.function_call_arguments.delta")).toBeGreaterThan(t.indexOf("response.output_item.done"));
    const last = events.at(-1);
    if (last?.type !== "response.completed") throw new Error(String(last?.type));
    expect(last.response.output.map((o) => o.type)).toEqual(["message", "function_call"]);
    expect(accumulated(events.slice(0, -1)).output).toEqual(last.response.output);
  });

  it("parallel calls each get their own item, closed at the finish in order", async () => {
    const events = await encode(decodeAnthropicStream(bodyOf(parallelToolStream), "m"));
    const last = events.at(-1);
    if (last?.type !== "response.completed") throw new Error(String(last?.type));
    const calls = last.response.output.filter((o) => o.type === "function_call");
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (const call of calls)
      expect(() => JSON.parse(call.type === "function_call" ? call.arguments : "")).not.toThrow();
    expect(accumulated(events.slice(0, -1)).output).toEqual(last.response.output);
  });

  it("a length finish ends with response.incomplete", async () => {
    const chunk = (
      delta: ChunkEvent["chunk"]["choices"][number]["delta"],
      finish: FinishReason | null = null,
    ): ChunkEvent => ({
      chunk: {
        id: "c",
        object: "chat.completion.chunk",
        created: 1,
        model: "m",
        choices: [{ index: 0, delta, finish_reason: finish }],
      },
    });
    const events = await encode(
      (async function* () {
        yield chunk({ content: "cut" });
        yield chunk({}, "length");
      })(),
    );
    const last = events.at(-1);
    expect(last?.type).toBe("response.incomplete");
    if (last?.type !== "response.incomplete") return;
    expect(last.response.incomplete_details).toEqual({ reason: "max_output_tokens" });
    expect(last.response.output[0]).toMatchObject({ type: "message", status: "incomplete" });
  });

  it("a failure after the first byte becomes error, then response.failed with what was delivered", async () => {
    const events = await encode(
      (async function* () {
        yield {
          chunk: {
            id: "c",
            object: "chat.completion.chunk" as const,
            created: 1,
            model: "m",
            choices: [{ index: 0, delta: { content: "par" }, finish_reason: null }],
          },
        };
        throw new GatewayError("upstream_timeout", "The upstream went quiet.");
      })(),
    );
    expect(events.slice(-2).map((e) => e.type)).toEqual(["error", "response.failed"]);
    expect(events.at(-2)).toMatchObject({ code: "upstream_timeout", message: "The upstream went quiet.", param: null });
    const failed = events.at(-1);
    if (failed?.type !== "response.failed") throw new Error(String(failed?.type));
    expect(failed.response.status).toBe("failed");
    expect(failed.response.error).toEqual({ code: "upstream_timeout", message: "The upstream went quiet." });
    expect(failed.response.output[0]).toMatchObject({
      type: "message",
      content: [{ type: "output_text", text: "par" }],
    });
  });
});
