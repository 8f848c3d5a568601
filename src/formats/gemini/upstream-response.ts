import type { ChatChoice, ChatResponse } from "../../canonical/chat";
import { UpstreamProtocolError } from "../../errors/upstream-protocol-error";
import {
  completionId,
  type GeminiToolCall,
  parseGeminiResponse,
  toFinishReason,
  toLogprobs,
  toToolCall,
  toUsage,
} from "./mapping";
import type { GeminiCandidate } from "./response-schema";

/**
 * Gemini `generateContent` answer → canonical ChatResponse. Text parts are concatenated, thought summaries are left
 * out (they are not the answer), function calls become tool calls. A prompt blocked before generation (no candidates,
 * `promptFeedback.blockReason`) becomes one empty choice with `finish_reason: "content_filter"`.
 */

function toChoice(candidate: GeminiCandidate, index: number): ChatChoice {
  let text = "";
  const calls: GeminiToolCall[] = [];
  for (const part of candidate.content?.parts ?? []) {
    if (part.thought === true) continue;
    if (part.functionCall !== undefined) calls.push(toToolCall(part.functionCall, part.thoughtSignature, calls.length));
    else if (part.text !== undefined) text += part.text;
  }
  const finish = toFinishReason(candidate.finishReason, calls.length > 0);
  const choice: ChatChoice = {
    index,
    message: {
      role: "assistant",
      content: text === "" && (calls.length > 0 || finish === "content_filter") ? null : text,
    },
    finish_reason: finish,
  };
  if (calls.length > 0) choice.message.tool_calls = calls;
  const logprobs = toLogprobs(candidate.logprobsResult);
  if (logprobs !== undefined) choice.logprobs = logprobs;
  return choice;
}

export function toOpenAIResponse(body: unknown, model: string): ChatResponse {
  const res = parseGeminiResponse(body);
  const candidates = res.candidates ?? [];
  let choices: ChatChoice[];
  if (candidates.length > 0) {
    choices = candidates.map((c, i) => toChoice(c, c.index ?? i)).sort((a, b) => a.index - b.index);
  } else if (res.promptFeedback?.blockReason !== undefined) {
    choices = [{ index: 0, message: { role: "assistant", content: null }, finish_reason: "content_filter" }];
  } else {
    throw new UpstreamProtocolError("Gemini response has neither candidates nor a prompt block reason");
  }
  const out: ChatResponse = {
    id: completionId(res.responseId),
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices,
  };
  if (res.usageMetadata !== undefined) out.usage = toUsage(res.usageMetadata);
  return out;
}
