/** Bedrock Converse answer → canonical ChatResponse; the usage and stop-reason mapping is shared with the stream. */
import { z } from "zod";
import type { ChatChoice, ChatResponse, FinishReason, ToolCall, Usage } from "../../canonical/chat";
import { UpstreamProtocolError } from "../../errors/upstream-protocol-error";

const count = z.int().min(0);

export const converseUsageSchema = z.looseObject({
  inputTokens: count,
  outputTokens: count,
  totalTokens: count.optional(),
  cacheReadInputTokens: count.nullish(),
  cacheWriteInputTokens: count.nullish(),
});
export type ConverseUsage = z.infer<typeof converseUsageSchema>;

const blockSchema = z.looseObject({
  text: z.string().optional(),
  toolUse: z.looseObject({ toolUseId: z.string(), name: z.string(), input: z.unknown() }).optional(),
});

const converseResponseSchema = z.looseObject({
  output: z.looseObject({
    message: z.looseObject({ role: z.literal("assistant"), content: z.array(blockSchema) }),
  }),
  stopReason: z.string(),
  usage: converseUsageSchema.optional(),
});

const FINISH: Record<string, FinishReason> = {
  end_turn: "stop",
  stop_sequence: "stop",
  tool_use: "tool_calls",
  max_tokens: "length",
  model_context_window_exceeded: "length",
  guardrail_intervened: "content_filter",
  content_filtered: "content_filter",
};

export function finishReasonOf(stopReason: string): FinishReason {
  return FINISH[stopReason] ?? "stop";
}

/**
 * Like Anthropic's, Bedrock's `inputTokens` leaves out prompt-cache reads and writes; OpenAI's `prompt_tokens`
 * counts everything read, with the cache parts in `prompt_tokens_details` (`cache_write_tokens` is ours, for billing).
 */
export function canonicalUsage(u: ConverseUsage): Usage {
  const read = u.cacheReadInputTokens ?? 0;
  const write = u.cacheWriteInputTokens ?? 0;
  const prompt = u.inputTokens + read + write;
  const usage: Usage = {
    prompt_tokens: prompt,
    completion_tokens: u.outputTokens,
    total_tokens: prompt + u.outputTokens,
  };
  const details: Record<string, number> = {};
  if (read > 0) details.cached_tokens = read;
  if (write > 0) details.cache_write_tokens = write;
  if (Object.keys(details).length > 0) usage.prompt_tokens_details = details;
  return usage;
}

export function parseConverseResponse(body: unknown, model: string): ChatResponse {
  const parsed = converseResponseSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? "" : ` at ${issue.path.map(String).join(".") || "(root)"}: ${issue.message}`;
    throw new UpstreamProtocolError(`Bedrock Converse response has an unexpected shape${where}`);
  }
  const res = parsed.data;
  let text: string | null = null;
  const calls: ToolCall[] = [];
  for (const block of res.output.message.content) {
    if (block.text !== undefined) text = (text ?? "") + block.text;
    else if (block.toolUse !== undefined) {
      const { toolUseId, name, input } = block.toolUse;
      calls.push({ id: toolUseId, type: "function", function: { name, arguments: JSON.stringify(input ?? {}) } });
    }
    // Reasoning and guard-rail blocks have no Chat Completions equivalent.
  }
  const message: ChatChoice["message"] = { role: "assistant", content: text };
  if (calls.length > 0) message.tool_calls = calls;
  const out: ChatResponse = {
    id: `chatcmpl-${crypto.randomUUID()}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message, finish_reason: finishReasonOf(res.stopReason), logprobs: null }],
  };
  if (res.usage !== undefined) out.usage = canonicalUsage(res.usage);
  return out;
}
