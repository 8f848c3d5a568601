import { describe, expect, it } from "vitest";
import type { ChatResponse } from "../../../../src/canonical/chat";
import { UpstreamProtocolError } from "../../../../src/errors/upstream-protocol-error";
import { canonicalToAnthropicMessage } from "../../../../src/formats/anthropic/client-response";
import { parseAnthropicMessage } from "../../../../src/formats/anthropic/upstream-response";
import {
  maxTokensMessage,
  stopSequenceMessage,
  textMessage,
  toolUseMessage,
} from "../../../fixtures/transcripts/anthropic-messages";

describe("parseAnthropicMessage (upstream Message → canonical)", () => {
  it("translates a text answer", () => {
    const out = parseAnthropicMessage(textMessage);
    expect(out).toMatchObject({
      id: textMessage.id,
      object: "chat.completion",
      model: "claude-sonnet-4-5",
      choices: [{ index: 0, message: { role: "assistant", content: "Hello!" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 12, completion_tokens: 6, total_tokens: 18 },
    });
    expect(out.choices[0]?.message.tool_calls).toBeUndefined();
    expect(Number.isInteger(out.created)).toBe(true);
  });

  it("translates tool_use and counts cached prompt tokens as prompt tokens", () => {
    const out = parseAnthropicMessage(toolUseMessage);
    expect(out.choices[0]).toMatchObject({
      message: {
        content: "I'll look that up.",
        tool_calls: [
          {
            id: "toolu_01A09q90qw90lq917835lq9",
            type: "function",
            function: { name: "get_weather", arguments: '{"location":"San Francisco, CA","unit":"celsius"}' },
          },
        ],
      },
      finish_reason: "tool_calls",
    });
    expect(out.usage).toEqual({
      prompt_tokens: 420,
      completion_tokens: 50,
      total_tokens: 470,
      // Cache writes are billed at their own price: the gateway's `cache_write_tokens` carries them.
      prompt_tokens_details: { cached_tokens: 300, cache_write_tokens: 20 },
    });
  });

  it("skips thinking blocks and maps max_tokens to length", () => {
    const out = parseAnthropicMessage(maxTokensMessage);
    expect(out.choices[0]).toMatchObject({ message: { content: "The answer is" }, finish_reason: "length" });
  });

  it("keeps the matched stop sequence (as vLLM's stop_reason)", () => {
    expect(parseAnthropicMessage(stopSequenceMessage).choices[0]).toMatchObject({
      finish_reason: "stop",
      stop_reason: "three",
    });
  });

  it.each([
    ["refusal", "content_filter"],
    ["pause_turn", "stop"],
    ["model_context_window_exceeded", "length"],
  ])("maps stop_reason %s to %s", (stop_reason, finish) => {
    expect(parseAnthropicMessage({ ...textMessage, stop_reason }).choices[0]?.finish_reason).toBe(finish);
  });

  it.each([
    ["not an object", "oops"],
    ["an error envelope", { type: "error", error: { type: "overloaded_error", message: "Overloaded" } }],
    ["missing usage", { ...textMessage, usage: undefined }],
    ["a malformed text block", { ...textMessage, content: [{ type: "text" }] }],
    ["a malformed tool_use block", { ...textMessage, content: [{ type: "tool_use", id: "x" }] }],
  ])("throws UpstreamProtocolError for %s", (_name, body) => {
    expect(() => parseAnthropicMessage(body)).toThrow(UpstreamProtocolError);
  });
});

const response = (choice: Partial<ChatResponse["choices"][number]>, usage?: ChatResponse["usage"]): ChatResponse => ({
  id: "chatcmpl-1",
  object: "chat.completion",
  created: 1,
  model: "gpt-x",
  choices: [{ index: 0, message: { role: "assistant", content: null }, finish_reason: "stop", ...choice }],
  ...(usage ? { usage } : {}),
});

describe("canonicalToAnthropicMessage (canonical → client Message)", () => {
  it("builds a documented Message with text and tool_use blocks", () => {
    const out = canonicalToAnthropicMessage(
      response(
        {
          message: {
            role: "assistant",
            content: "Let me check.",
            tool_calls: [{ id: "call_1", type: "function", function: { name: "get", arguments: '{"id":7}' } }],
          },
          finish_reason: "tool_calls",
        },
        { prompt_tokens: 30, completion_tokens: 9, total_tokens: 39 },
      ),
      { model: "my-alias", messageId: "msg_gw_1" },
    );
    expect(out).toEqual({
      id: "msg_gw_1",
      type: "message",
      role: "assistant",
      model: "my-alias",
      content: [
        { type: "text", text: "Let me check." },
        { type: "tool_use", id: "call_1", name: "get", input: { id: 7 } },
      ],
      stop_reason: "tool_use",
      stop_sequence: null,
      usage: { input_tokens: 30, output_tokens: 9 },
    });
  });

  it.each([
    ["stop", "end_turn"],
    ["length", "max_tokens"],
    ["tool_calls", "tool_use"],
    ["content_filter", "refusal"],
    [null, "end_turn"],
  ] as const)("maps finish_reason %s to %s", (finish_reason, stop_reason) => {
    expect(canonicalToAnthropicMessage(response({ finish_reason })).stop_reason).toBe(stop_reason);
  });

  it("reports a stop sequence when the upstream named it", () => {
    const choice = { message: { role: "assistant" as const, content: "one, two" }, stop_reason: "three" };
    const out = canonicalToAnthropicMessage(response(choice));
    expect(out).toMatchObject({ stop_reason: "stop_sequence", stop_sequence: "three" });
  });

  it("uses the response's id and model by default, zero usage when absent, refusal text as text", () => {
    const out = canonicalToAnthropicMessage(
      response({
        message: { role: "assistant", content: null, refusal: "I can't help with that." },
        finish_reason: "content_filter",
      }),
    );
    expect(out).toMatchObject({
      id: "chatcmpl-1",
      model: "gpt-x",
      content: [{ type: "text", text: "I can't help with that." }],
      stop_reason: "refusal",
      usage: { input_tokens: 0, output_tokens: 0 },
    });
  });

  it("gives malformed tool arguments as an empty object (input must be an object)", () => {
    const call = { id: "c", type: "function" as const, function: { name: "f", arguments: "[1,2" } };
    const out = canonicalToAnthropicMessage(
      response({ message: { role: "assistant", content: null, tool_calls: [call] } }),
    );
    expect(out.content).toEqual([{ type: "tool_use", id: "c", name: "f", input: {} }]);
  });

  it("round-trips an upstream Anthropic Message", () => {
    const back = canonicalToAnthropicMessage(parseAnthropicMessage(stopSequenceMessage));
    expect(back).toEqual(stopSequenceMessage);
  });
});
