/**
 * What an OpenAI-compatible upstream answers. Strict on what the gateway relies on (choices, message content and
 * tool calls, finish_reason, usage numbers), lenient on the envelope (some origins omit `id` or send an odd `object`)
 * and on extra fields, which are kept. A failure throws `UpstreamProtocolError` whose message names the field and
 * the problem, never the body: upstream bodies can echo prompts.
 */
import { z } from "zod";
import type { ChatChunk, ChatResponse, EmbeddingsResponse, Usage } from "../../canonical/chat";
import { UpstreamProtocolError } from "../../errors/upstream-protocol-error";
import { fastChunk, fastCompletion } from "./chunk-fast-path";

const count = z.int().min(0);

const wellFormedUsage = z
  .looseObject({ prompt_tokens: count, completion_tokens: count, total_tokens: count.optional() })
  .transform((u) => ({ ...u, total_tokens: u.total_tokens ?? u.prompt_tokens + u.completion_tokens }));

/**
 * Usage decides what a tenant pays, so it is untrusted input — but a bad count must not cost the caller the answer.
 * Well-formed usage is normalised; any other object is passed on as it came, and billing (checkUsage) refuses it
 * and bills the reservation instead, flagged.
 */
const usage = z.unknown().transform((u): Usage | null | undefined => {
  if (u === null || u === undefined) return u;
  const parsed = wellFormedUsage.safeParse(u);
  if (parsed.success) return parsed.data;
  return typeof u === "object" && !Array.isArray(u) ? (u as Usage) : undefined;
});

const finishReason = z.enum(["stop", "length", "tool_calls", "content_filter", "function_call"]).nullable();

const toolCall = z.looseObject({
  id: z.string(),
  // Some origins omit `type`; "function" is the only kind Chat Completions has.
  type: z.literal("function").default("function"),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});

const choice = z.looseObject({
  index: count,
  message: z.looseObject({
    role: z.literal("assistant"),
    content: z
      .string()
      .nullish()
      .transform((c) => c ?? null),
    tool_calls: z
      .array(toolCall)
      .nullish()
      .transform((t) => (t === null || t?.length === 0 ? undefined : t)),
    refusal: z.string().nullish(),
  }),
  finish_reason: finishReason,
  logprobs: z.unknown().optional(),
});

/** Envelope fields some origins leave out. Schemas are built once: parsing runs per chunk, on the CPU budget. */
const envelope = {
  id: z.string().default(""),
  created: z.number().default(() => Math.floor(Date.now() / 1000)),
  model: z.string().optional(),
  system_fingerprint: z.string().nullish(),
};

export const completionSchema = z.looseObject({
  ...envelope,
  object: z
    .string()
    .optional()
    .transform(() => "chat.completion" as const),
  choices: z.array(choice),
  usage: usage.optional().transform((u) => u ?? undefined),
});

const toolCallDelta = z.looseObject({
  index: count,
  id: z.string().optional(),
  type: z.literal("function").optional(),
  function: z.looseObject({ name: z.string().optional(), arguments: z.string().optional() }).optional(),
});

const chunkChoice = z.looseObject({
  index: count,
  delta: z.looseObject({
    role: z
      .literal("assistant")
      .nullish()
      .transform((r) => r ?? undefined),
    content: z.string().nullish(),
    tool_calls: z
      .array(toolCallDelta)
      .nullish()
      .transform((t) => t ?? undefined),
    refusal: z.string().nullish(),
  }),
  finish_reason: finishReason.optional().transform((f) => f ?? null),
  logprobs: z.unknown().optional(),
});

export const chunkSchema = z.looseObject({
  ...envelope,
  object: z
    .string()
    .optional()
    .transform(() => "chat.completion.chunk" as const),
  choices: z.array(chunkChoice),
  usage: usage.optional(),
});

const embeddingsSchema = z.object({
  data: z.array(
    z.looseObject({ index: count, embedding: z.union([z.array(z.number()), z.string()]) }).transform((d) => ({
      object: "embedding" as const,
      index: d.index,
      embedding: d.embedding,
    })),
  ),
  model: z.string().optional(),
  // Billing needs the upstream's own count, so a missing `usage` is a protocol error, not a zero.
  usage: z
    .looseObject({ prompt_tokens: count, total_tokens: count.optional() })
    .transform((u) => ({ prompt_tokens: u.prompt_tokens, total_tokens: u.total_tokens ?? u.prompt_tokens })),
});

/** Identifier-like strings only: an upstream's error `message` may echo the prompt, its `type`/`code` do not. */
function safeLabel(value: unknown): string | undefined {
  return typeof value === "string" && /^[\w.-]{1,64}$/.test(value) ? value : undefined;
}

/** `{ "error": {...} }` in place of a result, as OpenAI sends mid-stream and some origins send with status 200. */
export function upstreamErrorOf(body: unknown): UpstreamProtocolError | undefined {
  if (typeof body !== "object" || body === null || !("error" in body)) return undefined;
  const error = (body as { error: unknown }).error;
  if (error === null || error === undefined) return undefined;
  const details = typeof error === "object" ? (error as Record<string, unknown>) : {};
  const label = safeLabel(details.code) ?? safeLabel(details.type);
  return new UpstreamProtocolError(`upstream returned an error object${label === undefined ? "" : ` (${label})`}`);
}

function fail(what: string, error: z.ZodError): never {
  const issue = error.issues[0];
  const at = issue === undefined || issue.path.length === 0 ? "" : ` at '${issue.path.map(String).join(".")}'`;
  throw new UpstreamProtocolError(
    `upstream ${what} does not match the OpenAI format${at} (${issue?.code ?? "invalid"})`,
  );
}

function parseWith<T>(what: string, schema: z.ZodType<T>, body: unknown): T {
  const error = upstreamErrorOf(body);
  if (error !== undefined) throw error;
  const result = schema.safeParse(body);
  if (!result.success) fail(what, result.error);
  return result.data;
}

export function parseUpstreamCompletion(body: unknown, fallbackModel: string): ChatResponse {
  const fast = fastCompletion(body);
  if (fast !== undefined) return fast;
  const parsed = parseWith("chat.completion", completionSchema, body);
  return { ...parsed, model: parsed.model ?? fallbackModel };
}

export function parseUpstreamChunk(body: unknown, fallbackModel: string): ChatChunk {
  const fast = fastChunk(body);
  if (fast !== undefined) return fast;
  const parsed = parseWith("chat.completion.chunk", chunkSchema, body);
  return { ...parsed, model: parsed.model ?? fallbackModel };
}

export function parseUpstreamEmbeddings(body: unknown, fallbackModel: string): EmbeddingsResponse {
  const parsed = parseWith("embeddings response", embeddingsSchema, body);
  return { object: "list", data: parsed.data, model: parsed.model ?? fallbackModel, usage: parsed.usage };
}
