import type { ChatChunk, ChunkChoice, ChunkEvent, ToolCallDelta, Usage } from "../../canonical/chat";
import { UpstreamProtocolError } from "../../errors/upstream-protocol-error";
import { parseSse } from "../../streaming/sse";
import { completionId, parseGeminiResponse, toFinishReason, toLogprobs, toToolCall, toUsage } from "./mapping";
import type { GeminiCandidate, GeminiUsage } from "./response-schema";

/**
 * `streamGenerateContent?alt=sse` → canonical chunks. Every SSE event is a whole GenerateContentResponse holding the
 * next slice of each candidate; each slice is yielded as soon as it arrives.
 *
 * Finish reasons are held back until the upstream closes the stream: older models repeat `finishReason` on every
 * event, so the last value seen is the real one, and it is emitted once per choice. Then, like OpenAI's
 * `include_usage`, one last chunk with no choices carries usage from the final `usageMetadata` (Gemini repeats running
 * totals on events; the last is the complete count). A stream that closes without any finish reason was cut short and
 * throws, as does an `error` event.
 */

interface ChoiceState {
  started: boolean;
  toolCalls: number;
  finish?: string;
}

function slice(candidate: GeminiCandidate, state: ChoiceState): { text: string; calls: ToolCallDelta[] } {
  let text = "";
  const calls: ToolCallDelta[] = [];
  for (const part of candidate.content?.parts ?? []) {
    if (part.thought === true) continue;
    if (part.functionCall !== undefined) {
      // Gemini sends each call whole, never split across events: one delta carries its name and all its arguments.
      const index = state.toolCalls++;
      calls.push({ index, ...toToolCall(part.functionCall, part.thoughtSignature, index) });
    } else if (part.text !== undefined) {
      text += part.text;
    }
  }
  return { text, calls };
}

export async function* decodeGeminiStream(body: ReadableStream<Uint8Array>, model: string): AsyncGenerator<ChunkEvent> {
  let id: string | undefined;
  const created = Math.floor(Date.now() / 1000);
  const states = new Map<number, ChoiceState>();
  let usage: GeminiUsage | undefined;
  let promptBlocked = false;

  const event = (choices: ChunkChoice[], finalUsage?: Usage): ChunkEvent => {
    const chunk: ChatChunk = {
      id: id ?? completionId(undefined),
      object: "chat.completion.chunk",
      created,
      model,
      choices,
    };
    if (finalUsage !== undefined) chunk.usage = finalUsage;
    return { chunk };
  };

  for await (const sse of parseSse(body)) {
    if (sse.data.trim() === "") continue;
    let json: unknown;
    try {
      json = JSON.parse(sse.data);
    } catch {
      throw new UpstreamProtocolError("Gemini stream event is not JSON");
    }
    const res = parseGeminiResponse(json);
    id ??= completionId(res.responseId);
    if (res.usageMetadata !== undefined) usage = res.usageMetadata;
    const candidates = res.candidates ?? [];
    if (candidates.length === 0 && res.promptFeedback?.blockReason !== undefined) promptBlocked = true;

    const choices: ChunkChoice[] = [];
    for (const [position, candidate] of candidates.entries()) {
      const index = candidate.index ?? position;
      const state = states.get(index) ?? { started: false, toolCalls: 0 };
      states.set(index, state);
      if (candidate.finishReason !== undefined) state.finish = candidate.finishReason;
      const { text, calls } = slice(candidate, state);
      const logprobs = toLogprobs(candidate.logprobsResult);
      if (text === "" && calls.length === 0 && logprobs === undefined) continue;
      const delta: ChunkChoice["delta"] = state.started ? {} : { role: "assistant" };
      state.started = true;
      if (text !== "") delta.content = text;
      if (calls.length > 0) delta.tool_calls = calls;
      const choice: ChunkChoice = { index, delta, finish_reason: null };
      if (logprobs !== undefined) choice.logprobs = logprobs;
      choices.push(choice);
    }
    if (choices.length > 0) yield event(choices);
  }

  if (id === undefined) return;
  const finals: ChunkChoice[] = [];
  if (states.size === 0) {
    if (!promptBlocked) throw new UpstreamProtocolError("Gemini stream carried no candidates");
    finals.push({ index: 0, delta: { role: "assistant", content: null }, finish_reason: "content_filter" });
  }
  for (const [index, state] of [...states].sort(([a], [b]) => a - b)) {
    if (state.finish === undefined) throw new UpstreamProtocolError("Gemini stream ended without a finish reason");
    finals.push({
      index,
      delta: state.started ? {} : { role: "assistant" },
      finish_reason: toFinishReason(state.finish, state.toolCalls > 0),
    });
  }
  yield event(finals);
  if (usage !== undefined) yield event([], toUsage(usage));
}
