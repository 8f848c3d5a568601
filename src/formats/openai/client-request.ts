/**
 * The incoming OpenAI Chat Completions request. Validation is strict on the fields the gateway reads or that change
 * billing (ranges are errors, never clamped) and lenient elsewhere: unknown top-level fields, unknown message fields
 * and unknown content-part types are kept, so OpenAI-compatible upstreams receive them untouched.
 */
import { z } from "zod";
import type { ChatRequest } from "../../canonical/chat";
import { fastChatRequest } from "./client-request-fast";
import { firstProblem } from "./issues";

/** OpenAI's rule for function and schema names. */
export const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** Accepts `null` as "not given": several SDKs send explicit nulls for unset options. */
function absentIfNull<T extends z.ZodType>(schema: T) {
  return schema.nullish().transform((v) => v ?? undefined);
}

const textPart = z.looseObject({ type: z.literal("text"), text: z.string() });
const refusalPart = z.looseObject({ type: z.literal("refusal"), refusal: z.string() });
const imagePart = z.looseObject({
  type: z.literal("image_url"),
  image_url: z.looseObject({ url: z.string().min(1), detail: z.enum(["auto", "low", "high"]).optional() }),
});
const audioPart = z.looseObject({
  type: z.literal("input_audio"),
  input_audio: z.looseObject({ data: z.string(), format: z.string() }),
});
const filePart = z.looseObject({ type: z.literal("file"), file: z.looseObject({}) });

const KNOWN_USER_PARTS = new Map<string, z.ZodType>([
  ["text", textPart],
  ["image_url", imagePart],
  ["input_audio", audioPart],
  ["file", filePart],
]);

/**
 * Known part types are checked field by field; other types (e.g. vLLM's `video_url`) pass through for upstreams that
 * understand them. A discriminated union cannot express "known types strictly, the rest loosely", hence the refine.
 */
const userPart = z.looseObject({ type: z.string().min(1) }).superRefine((part, ctx) => {
  const known = KNOWN_USER_PARTS.get(part.type);
  if (known === undefined) return;
  const result = known.safeParse(part);
  if (result.success) return;
  for (const issue of result.error.issues) {
    ctx.addIssue({ code: "custom", message: issue.message, path: [...issue.path] });
  }
});

const textContent = z.union([z.string(), z.array(textPart).min(1)]);

const toolCall = z.looseObject({
  id: z.string().min(1),
  type: z.literal("function"),
  function: z.looseObject({ name: z.string().min(1), arguments: z.string() }),
});

const name = z.string().min(1).optional();

const systemMessage = z.looseObject({ role: z.literal("system"), content: textContent, name });
const developerMessage = z.looseObject({ role: z.literal("developer"), content: textContent, name });
const userMessage = z.looseObject({
  role: z.literal("user"),
  content: z.union([z.string(), z.array(userPart).min(1)]),
  name,
});
const toolMessage = z.looseObject({ role: z.literal("tool"), content: textContent, tool_call_id: z.string().min(1) });
const assistantMessage = z
  .looseObject({
    role: z.literal("assistant"),
    content: z.union([z.string(), z.array(z.union([textPart, refusalPart])).min(1)]).nullish(),
    name,
    tool_calls: z.array(toolCall).min(1).optional(),
  })
  .superRefine((msg, ctx) => {
    // An assistant turn must say something or call something (OpenAI rejects it otherwise).
    const hasContent = msg.content !== null && msg.content !== undefined;
    if (!hasContent && msg.tool_calls === undefined && msg.function_call === undefined) {
      ctx.addIssue({ code: "custom", message: "an assistant message needs content or tool_calls", path: ["content"] });
    }
  });

const message = z.discriminatedUnion("role", [
  systemMessage,
  developerMessage,
  userMessage,
  assistantMessage,
  toolMessage,
]);

const functionTool = z.looseObject({
  type: z.literal("function"),
  function: z.looseObject({
    name: z.string().regex(TOOL_NAME, "must match ^[a-zA-Z0-9_-]{1,64}$"),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: absentIfNull(z.boolean()),
  }),
});

const toolChoice = z.union([
  z.enum(["none", "auto", "required"]),
  z.looseObject({ type: z.literal("function"), function: z.looseObject({ name: z.string().regex(TOOL_NAME) }) }),
]);

const responseFormat = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("text") }),
  z.looseObject({ type: z.literal("json_object") }),
  z.looseObject({
    type: z.literal("json_schema"),
    json_schema: z.looseObject({
      name: z.string().regex(TOOL_NAME, "must match ^[a-zA-Z0-9_-]{1,64}$"),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: absentIfNull(z.boolean()),
    }),
  }),
]);

const positiveInt = z.int().min(1);

export const chatRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(message).min(1),
  stream: absentIfNull(z.boolean()),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: positiveInt.nullish(),
  max_completion_tokens: positiveInt.nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  n: z.int().min(1).max(128).nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  seed: z.int().nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.int().min(0).max(20).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  tools: absentIfNull(z.array(functionTool)),
  tool_choice: absentIfNull(toolChoice),
  parallel_tool_calls: absentIfNull(z.boolean()),
  response_format: absentIfNull(responseFormat),
  user: absentIfNull(z.string()),
});

export type ParseResult<T> = { ok: true; value: T } | { ok: false; message: string; param: string };

export function parseChatRequest(json: unknown): ParseResult<ChatRequest> {
  const fast = fastChatRequest(json);
  if (fast !== undefined) return { ok: true, value: fast };
  const result = chatRequestSchema.safeParse(json);
  if (!result.success) return { ok: false, ...firstProblem(result.error) };
  return { ok: true, value: result.data };
}
