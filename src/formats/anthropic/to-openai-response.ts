/** Anthropic Message (an upstream's non-streaming answer) → canonical ChatResponse. */
import type { ChatChoice, ChatResponse, ToolCall, Usage } from "../../canonical/chat";
import { UpstreamProtocolError } from "../../errors/upstream-protocol-error";
import { type AnthropicMessage, type AnthropicUsage, anthropicMessageSchema, promptTokensOf } from "./response-schema";
import { finishReasonOf } from "./stop-reason";

export function canonicalUsage(u: AnthropicUsage): Usage {
  const prompt = promptTokensOf(u);
  const usage: Usage = {
    prompt_tokens: prompt,
    completion_tokens: u.output_tokens,
    total_tokens: prompt + u.output_tokens,
  };
  if (u.cache_read_input_tokens) usage.prompt_tokens_details = { cached_tokens: u.cache_read_input_tokens };
  return usage;
}

export function messageToCanonical(msg: AnthropicMessage): ChatResponse {
  let text: string | null = null;
  const calls: ToolCall[] = [];
  for (const block of msg.content) {
    if (block.type === "text" && typeof block.text === "string") text = (text ?? "") + block.text;
    else if (block.type === "tool_use" && typeof block.id === "string" && typeof block.name === "string") {
      calls.push({
        id: block.id,
        type: "function",
        function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
      });
    }
    // Thinking and server-tool blocks have no Chat Completions equivalent.
  }
  const message: ChatChoice["message"] = { role: "assistant", content: text };
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
    usage: canonicalUsage(msg.usage),
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
