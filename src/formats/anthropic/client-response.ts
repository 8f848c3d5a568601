/** Canonical ChatResponse → the Anthropic Message a `/v1/messages` client expects. */
import type { ChatChoice, ChatResponse, Usage } from "../../canonical/chat";
import { type ThinkingBlock, thinkingBlocksOf } from "../../canonical/thinking";
import { type AnthropicStopReason, stopReasonOf } from "./stop-reason";

export type AnthropicOutputBlock =
  | ThinkingBlock
  | { type: "text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };

export interface AnthropicMessageOut {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: AnthropicOutputBlock[];
  stop_reason: AnthropicStopReason;
  stop_sequence: string | null;
  usage: AnthropicUsageOut;
}

/**
 * Tool input must be an object on this wire. Arguments that are not a JSON object (a model's malformed output) become
 * `{}` rather than failing an answer that was already paid for.
 */
export function parseToolInput(args: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(args);
    if (typeof v === "object" && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  return {};
}

/** The stop string that ended an answer, when the upstream said (vLLM's `stop_reason`, or ours from Anthropic). */
export function matchedStopSequence(choice: object | undefined): string | null {
  if (choice === undefined || !("stop_reason" in choice)) return null;
  return typeof choice.stop_reason === "string" ? choice.stop_reason : null;
}

export interface AnthropicUsageOut {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
}

/**
 * Canonical usage in Anthropic's terms: `input_tokens` excludes the prompt-cache parts, which are reported beside it
 * (only when there are any, as Anthropic does for requests without cache_control).
 */
export function anthropicUsageOf(usage: Usage | null | undefined): AnthropicUsageOut {
  const details = usage?.prompt_tokens_details;
  const part = (key: string): number => {
    const v = typeof details === "object" && details !== null ? (details as Record<string, unknown>)[key] : undefined;
    return typeof v === "number" && Number.isSafeInteger(v) && v > 0 ? v : 0;
  };
  const read = part("cached_tokens");
  const write = part("cache_write_tokens");
  const prompt = usage?.prompt_tokens ?? 0;
  const out: AnthropicUsageOut = {
    input_tokens: Math.max(0, prompt - read - write),
    output_tokens: usage?.completion_tokens ?? 0,
  };
  if (read > 0 || write > 0) {
    out.cache_read_input_tokens = read;
    out.cache_creation_input_tokens = write;
  }
  return out;
}

export function canonicalToAnthropicMessage(
  res: ChatResponse,
  meta: { model?: string; messageId?: string } = {},
): AnthropicMessageOut {
  const choice: ChatChoice | undefined = res.choices[0];
  const msg = choice?.message;
  // Reasoning comes first, as Anthropic sends it.
  const content: AnthropicOutputBlock[] = [...thinkingBlocksOf(msg)];
  const text = typeof msg?.content === "string" && msg.content !== "" ? msg.content : msg?.refusal;
  if (typeof text === "string" && text !== "") content.push({ type: "text", text });
  for (const call of msg?.tool_calls ?? []) {
    content.push({
      type: "tool_use",
      id: call.id,
      name: call.function.name,
      input: parseToolInput(call.function.arguments),
    });
  }
  const stopSequence = choice?.finish_reason === "stop" ? matchedStopSequence(choice) : null;
  return {
    id: meta.messageId ?? res.id,
    type: "message",
    role: "assistant",
    model: meta.model ?? res.model,
    content,
    stop_reason: stopSequence === null ? stopReasonOf(choice?.finish_reason) : "stop_sequence",
    stop_sequence: stopSequence,
    usage: anthropicUsageOf(res.usage),
  };
}
