import { describe, expect, it } from "vitest";
import { UpstreamProtocolError } from "../../../../src/errors/upstream-protocol-error";
import { toOpenAIResponse } from "../../../../src/formats/gemini/upstream-response";
import {
  geminiBlockedPromptResponse,
  geminiFunctionCallResponse,
  geminiMaxTokensResponse,
  geminiTextResponse,
} from "../../../fixtures/transcripts/gemini";

describe("toOpenAIResponse", () => {
  it("concatenates text parts and maps usage", () => {
    const res = toOpenAIResponse(geminiTextResponse, "gemini-2.0-flash");
    expect(res).toMatchObject({
      id: "chatcmpl-resp-text-1",
      object: "chat.completion",
      model: "gemini-2.0-flash",
      choices: [{ index: 0, message: { role: "assistant", content: "Hello! How can I help?" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 },
    });
    expect(res.choices[0]?.message.tool_calls).toBeUndefined();
    expect(typeof res.created).toBe("number");
  });

  it("turns function calls into tool calls with call_<n> ids, JSON arguments and the thought signature", () => {
    const res = toOpenAIResponse(geminiFunctionCallResponse, "gemini-3-flash-preview");
    expect(res.choices).toEqual([
      {
        index: 0,
        message: {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: "call_0",
              type: "function",
              function: { name: "get_weather", arguments: '{"location":"Paris","unit":"celsius"}' },
              extra_content: { google: { thought_signature: "c2lnbmF0dXJlLW9uZQ==" } },
            },
            {
              id: "call_1",
              type: "function",
              function: { name: "get_time", arguments: '{"timezone":"Europe/Paris"}' },
            },
          ],
        },
        finish_reason: "tool_calls",
      },
    ]);
    // Thinking tokens are billed as output: 24 + 96.
    expect(res.usage).toEqual({
      prompt_tokens: 70,
      completion_tokens: 120,
      total_tokens: 190,
      completion_tokens_details: { reasoning_tokens: 96 },
    });
  });

  it("maps a prompt blocked before generation to an empty content_filter choice", () => {
    const res = toOpenAIResponse(geminiBlockedPromptResponse, "gemini-2.0-flash");
    expect(res.choices).toEqual([
      { index: 0, message: { role: "assistant", content: null }, finish_reason: "content_filter" },
    ]);
    expect(res.usage).toEqual({ prompt_tokens: 8, completion_tokens: 0, total_tokens: 8 });
    expect(res.id).toMatch(/^chatcmpl-/);
  });

  it.each([
    ["STOP", "stop"],
    ["MAX_TOKENS", "length"],
    ["SAFETY", "content_filter"],
    ["RECITATION", "content_filter"],
    ["BLOCKLIST", "content_filter"],
    ["PROHIBITED_CONTENT", "content_filter"],
    ["SPII", "content_filter"],
    ["LANGUAGE", "stop"],
    ["OTHER", "stop"],
    ["MALFORMED_FUNCTION_CALL", "stop"],
  ])("finishReason %s → %s", (reason, expected) => {
    const body = {
      candidates: [{ content: { parts: [{ text: "x" }], role: "model" }, finishReason: reason, index: 0 }],
    };
    expect(toOpenAIResponse(body, "m").choices[0]?.finish_reason).toBe(expected);
  });

  it("keeps text cut at the token limit", () => {
    expect(toOpenAIResponse(geminiMaxTokensResponse, "m").choices[0]).toMatchObject({
      message: { content: "The quick brown" },
      finish_reason: "length",
    });
  });

  it("maps several candidates to choices by index, leaving thought summaries out", () => {
    const body = {
      candidates: [
        { content: { parts: [{ text: "B" }], role: "model" }, finishReason: "STOP", index: 1 },
        {
          content: { parts: [{ text: "thinking...", thought: true }, { text: "A" }], role: "model" },
          finishReason: "STOP",
          index: 0,
        },
      ],
    };
    const res = toOpenAIResponse(body, "m");
    expect(res.choices.map((c) => [c.index, c.message.content])).toEqual([
      [0, "A"],
      [1, "B"],
    ]);
    expect(res.usage).toBeUndefined();
  });

  it("maps logprobs to OpenAI's per-token shape", () => {
    const body = {
      candidates: [
        {
          content: { parts: [{ text: "Hi" }], role: "model" },
          finishReason: "STOP",
          logprobsResult: {
            topCandidates: [
              {
                candidates: [
                  { token: "Hi", logProbability: -0.1 },
                  { token: "Yo", logProbability: -2.5 },
                ],
              },
            ],
            chosenCandidates: [{ token: "Hi", logProbability: -0.1 }],
          },
        },
      ],
    };
    expect(toOpenAIResponse(body, "m").choices[0]?.logprobs).toEqual({
      content: [
        {
          token: "Hi",
          logprob: -0.1,
          bytes: [72, 105],
          top_logprobs: [
            { token: "Hi", logprob: -0.1, bytes: [72, 105] },
            { token: "Yo", logprob: -2.5, bytes: [89, 111] },
          ],
        },
      ],
      refusal: null,
    });
  });

  it.each([
    ["an error object", { error: { code: 400, message: "API key not valid", status: "INVALID_ARGUMENT" } }],
    ["neither candidates nor a block reason", { usageMetadata: { promptTokenCount: 1 } }],
    ["a malformed candidate list", { candidates: "nope" }],
    ["a non-object body", "<html>"],
  ])("throws UpstreamProtocolError on %s", (_name, body) => {
    expect(() => toOpenAIResponse(body, "m")).toThrow(UpstreamProtocolError);
  });

  it("keeps Google's error text out of the error message", () => {
    expect(() =>
      toOpenAIResponse({ error: { code: 400, message: "secret prompt text", status: "INVALID_ARGUMENT" } }, "m"),
    ).toThrow("Gemini returned an error (400 INVALID_ARGUMENT)");
  });
});
