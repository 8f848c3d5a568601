/**
 * What an Anthropic upstream answers: the Message object and the streaming events. Parsed with zod (parse, don't
 * sniff); objects are loose and block/event types open-ended, because Anthropic adds fields and block types
 * (thinking, server tools) that we skip rather than fail on.
 */
import { z } from "zod";

const count = z.number().int().nonnegative();

export const anthropicUsageSchema = z.looseObject({
  input_tokens: count,
  output_tokens: count,
  cache_creation_input_tokens: count.nullish(),
  cache_read_input_tokens: count.nullish(),
});
export type AnthropicUsage = z.infer<typeof anthropicUsageSchema>;

const textBlock = z.looseObject({ type: z.literal("text"), text: z.string() });
const toolUseBlock = z.looseObject({
  type: z.literal("tool_use"),
  id: z.string(),
  name: z.string(),
  input: z.unknown(),
});
/** Any other block (thinking, server tool results, ...): carried through untranslated. */
const otherBlock = z.looseObject({ type: z.string().refine((t) => t !== "text" && t !== "tool_use") });
const contentBlock = z.union([textBlock, toolUseBlock, otherBlock]);

export const anthropicMessageSchema = z.looseObject({
  id: z.string(),
  type: z.literal("message"),
  role: z.literal("assistant"),
  model: z.string(),
  content: z.array(contentBlock),
  stop_reason: z.string().nullable(),
  stop_sequence: z.string().nullish(),
  usage: anthropicUsageSchema,
});
export type AnthropicMessage = z.infer<typeof anthropicMessageSchema>;

export const messageStartSchema = z.looseObject({
  type: z.literal("message_start"),
  message: z.looseObject({
    id: z.string(),
    model: z.string(),
    usage: anthropicUsageSchema.partial(),
  }),
});

export const contentBlockStartSchema = z.looseObject({
  type: z.literal("content_block_start"),
  index: count,
  content_block: contentBlock,
});

export const contentBlockDeltaSchema = z.looseObject({
  type: z.literal("content_block_delta"),
  index: count,
  delta: z.union([
    z.looseObject({ type: z.literal("text_delta"), text: z.string() }),
    z.looseObject({ type: z.literal("input_json_delta"), partial_json: z.string() }),
    z.looseObject({ type: z.string().refine((t) => t !== "text_delta" && t !== "input_json_delta") }),
  ]),
});

export const messageDeltaSchema = z.looseObject({
  type: z.literal("message_delta"),
  delta: z.looseObject({ stop_reason: z.string().nullish(), stop_sequence: z.string().nullish() }),
  // Cumulative counts; newer API versions also repeat the input counts here.
  usage: z
    .looseObject({
      output_tokens: count,
      input_tokens: count.nullish(),
      cache_creation_input_tokens: count.nullish(),
      cache_read_input_tokens: count.nullish(),
    })
    .optional(),
});

export const streamErrorSchema = z.looseObject({
  type: z.literal("error"),
  error: z.looseObject({ type: z.string(), message: z.string().optional() }),
});

/** Prompt tokens in OpenAI's sense: everything read, whether from cache or not. */
export function promptTokensOf(u: {
  input_tokens?: number | null | undefined;
  cache_creation_input_tokens?: number | null | undefined;
  cache_read_input_tokens?: number | null | undefined;
}): number {
  return (u.input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0);
}
