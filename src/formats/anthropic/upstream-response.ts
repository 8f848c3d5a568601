/** Anthropic Message (an upstream's non-streaming answer) → canonical ChatResponse. */
import type { ChatChoice, ChatResponse, ToolCall, Usage } from "../../canonical/chat";
import { type ThinkingBlock, thinkingBlockOf } from "../../canonical/thinking";
import { UpstreamProtocolError } from "../../errors/upstream-protocol-error";
import { type AnthropicMessage, anthropicMessageSchema, promptTokensOf } from "./response-schema";
import { finishReasonOf } from "./stop-reason";

/** The prompt side of Anthropic usage (a stream's message_start may leave parts out). */
export type PromptUsage = Parameters<typeof promptTokensOf>[0];

/**
 * Anthropic usage in OpenAI's terms: prompt_tokens counts everything read (plain, cache reads, cache writes), with
 * the cache parts in `prompt_tokens_details` (`cache_write_tokens` is the gateway's own name, for billing).
 */
export function canonicalUsage(u: PromptUsage, outputTokens: number): Usage {
  const prompt = promptTokensOf(u);
  const usage: Usage = {
    prompt_tokens: prompt,
    completion_tokens: outputTokens,
    total_tokens: prompt + outputTokens,
  };
  const details: Record<string, number> = {};
  if (u.cache_read_input_tokens) details.cached_tokens = u.cache_read_input_tokens;
  if (u.cache_creation_input_tokens) details.cache_write_tokens = u.cache_creation_input_tokens;
  if (Object.keys(details).length > 0) usage.prompt_tokens_details = details;
  return usage;
}

export function messageToCanonical(msg: AnthropicMessage): ChatResponse {
  let text: string | null = null;
  const calls: ToolCall[] = [];
  const thoughts: ThinkingBlock[] = [];
  for (const block of msg.content) {
    const thought = thinkingBlockOf(block);
    if (thought !== undefined) thoughts.push(thought);
    else if (block.type === "text" && typeof block.text === "string") text = (text ?? "") + block.text;
    else if (block.type === "tool_use" && typeof block.id === "string" && typeof block.name === "string") {
      calls.push({
        id: block.id,
        type: "function",
        function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
      });
    }
    // Server-tool blocks have no Chat Completions equivalent.
  }
  const message: ChatChoice["message"] = { role: "assistant", content: text };
  // Kept for Anthropic clients (and passed back by them on the next turn); OpenAI clients ignore the extra field.
  if (thoughts.length > 0) message.thinking_blocks = thoughts;
  if (calls.length > 0) message.tool_calls = calls;
  const choice = { index: 0, message, finish_reason: finishReasonOf(msg.stop_reason), logprobs: null };
  // vLLM's field for the stop string that ended the answer; lets an Anthropic client get `stop_sequence` back.
  if (typeof msg.stop_sequence === "string") Object.assign(choice, { stop_reason: msg.stop_sequence });
  return {
    id: msg.id,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: msg.model,
    choices: [choice],
    usage: canonicalUsage(msg.usage, msg.usage.output_tokens),
  };
}

/** Throws `UpstreamProtocolError` when `body` is not an Anthropic Message. */
export function parseAnthropicMessage(body: unknown): ChatResponse {
  const parsed = anthropicMessageSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? "" : ` at ${issue.path.map(String).join(".") || "(root)"}: ${issue.message}`;
    throw new UpstreamProtocolError(`Anthropic response is not a Message${where}`);
  }
  return messageToCanonical(parsed.data);
}
