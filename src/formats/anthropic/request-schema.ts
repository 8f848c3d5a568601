/**
 * The Anthropic Messages request as clients send it to our `POST /v1/messages`.
 * Top-level fields we cannot translate are rejected (a 400 naming the field) rather than silently dropped.
 * `cache_control` (prompt-cache breakpoints) is kept on system blocks, tools and content blocks and reaches
 * Anthropic upstreams; `thinking` reaches Anthropic upstreams and is refused for targets that cannot think. Other
 * unknown keys inside blocks and tools (e.g. `citations`) are hints with no effect on the answer and are stripped.
 */
import { z } from "zod";

/** A prompt-cache breakpoint; `ttl` "5m" (default) or "1h". */
export const cacheControl = z.object({ type: z.literal("ephemeral"), ttl: z.enum(["5m", "1h"]).optional() });
const cc = { cache_control: cacheControl.nullish() };

const textBlock = z.object({ type: z.literal("text"), text: z.string(), ...cc });

const imageSource = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("base64"),
    media_type: z.enum(["image/jpeg", "image/png", "image/gif", "image/webp"]),
    data: z.string().min(1),
  }),
  z.object({ type: z.literal("url"), url: z.url({ protocol: /^https?$/ }) }),
]);
const imageBlock = z.object({ type: z.literal("image"), source: imageSource, ...cc });

const documentSource = z.discriminatedUnion("type", [
  z.object({ type: z.literal("base64"), media_type: z.literal("application/pdf"), data: z.string().min(1) }),
  z.object({ type: z.literal("url"), url: z.url({ protocol: /^https?$/ }) }),
  z.object({ type: z.literal("text"), media_type: z.literal("text/plain"), data: z.string() }),
]);
/** A document (PDF or plain text) for Anthropic upstreams; other providers cannot read it and are skipped. */
export const documentBlock = z.object({
  type: z.literal("document"),
  source: documentSource,
  title: z.string().nullish(),
  context: z.string().nullish(),
  citations: z.object({ enabled: z.boolean() }).nullish(),
  ...cc,
});

/** The model's own reasoning from an earlier turn, passed back verbatim (its signature proves it unaltered). */
export const thinkingBlock = z.object({ type: z.literal("thinking"), thinking: z.string(), signature: z.string() });
export const redactedThinkingBlock = z.object({ type: z.literal("redacted_thinking"), data: z.string() });

const toolUseBlock = z.object({
  type: z.literal("tool_use"),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
  ...cc,
});

const toolResultBlock = z.object({
  type: z.literal("tool_result"),
  tool_use_id: z.string().min(1),
  content: z
    .union([z.string(), z.array(z.discriminatedUnion("type", [textBlock, imageBlock]))], {
      error: "expected a string or an array of text and image blocks",
    })
    .optional(),
  is_error: z.boolean().optional(),
  ...cc,
});

const userBlock = z.discriminatedUnion("type", [textBlock, imageBlock, documentBlock, toolResultBlock]);
const assistantBlock = z.discriminatedUnion("type", [textBlock, toolUseBlock, thinkingBlock, redactedThinkingBlock]);

const message = z.discriminatedUnion("role", [
  z.object({
    role: z.literal("user"),
    content: z.union([z.string(), z.array(userBlock).min(1)], {
      error: "expected a string or a non-empty array of content blocks",
    }),
  }),
  z.object({
    role: z.literal("assistant"),
    content: z.union([z.string(), z.array(assistantBlock)], {
      error: "expected a string or an array of content blocks",
    }),
  }),
]);

const tool = z.object({
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,128}$/, "tool names match ^[a-zA-Z0-9_-]{1,128}$"),
  description: z.string().optional(),
  input_schema: z.looseObject({ type: z.literal("object") }),
  ...cc,
});

/** Extended thinking: `budget_tokens` of the output budget spent reasoning before the answer. */
export const thinkingConfig = z.discriminatedUnion("type", [
  z.object({ type: z.literal("enabled"), budget_tokens: z.number().int().min(1024) }),
  z.object({ type: z.literal("disabled") }),
]);

const parallel = { disable_parallel_tool_use: z.boolean().optional() };
const toolChoice = z.discriminatedUnion("type", [
  z.object({ type: z.literal("auto"), ...parallel }),
  z.object({ type: z.literal("any"), ...parallel }),
  z.object({ type: z.literal("tool"), name: z.string().min(1), ...parallel }),
  z.object({ type: z.literal("none") }),
]);

export const anthropicRequestSchema = z.strictObject({
  model: z.string().min(1),
  max_tokens: z.number().int().positive(),
  messages: z.array(message).min(1),
  system: z
    .union([z.string(), z.array(textBlock)], { error: "expected a string or an array of text blocks" })
    .optional(),
  stop_sequences: z.array(z.string().min(1)).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().nonnegative().optional(),
  stream: z.boolean().optional(),
  tools: z.array(tool).optional(),
  tool_choice: toolChoice.optional(),
  metadata: z.object({ user_id: z.string().nullish() }).optional(),
  thinking: thinkingConfig.optional(),
  // Accepted and ignored: it tunes how Anthropic serves a request, never what the answer is.
  service_tier: z.enum(["auto", "standard_only"]).optional(),
  // A top-level breakpoint (automatic caching of the whole prefix): passed to Anthropic upstreams.
  cache_control: cacheControl.optional(),
});

export type AnthropicRequest = z.infer<typeof anthropicRequestSchema>;
export type AnthropicMessageParam = AnthropicRequest["messages"][number];
export type AnthropicUserBlock = z.infer<typeof userBlock>;
export type AnthropicAssistantBlock = z.infer<typeof assistantBlock>;
export type AnthropicImageSource = z.infer<typeof imageSource>;
export type AnthropicDocumentBlock = z.infer<typeof documentBlock>;
export type AnthropicCacheControl = z.infer<typeof cacheControl>;
export type AnthropicThinking = z.infer<typeof thinkingConfig>;
export type AnthropicToolChoice = z.infer<typeof toolChoice>;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; message: string; param: string | null };

type Issue = z.core.$ZodIssue;

/** The most specific issue: inside a union, the branch that got deepest says what is really wrong. */
function deepest(issue: Issue): { issue: Issue; path: PropertyKey[] } {
  if (issue.code === "invalid_union" && issue.errors.length > 0) {
    let best: { issue: Issue; path: PropertyKey[] } | undefined;
    for (const branch of issue.errors) {
      const first = branch[0];
      if (first === undefined || first.path.length === 0) continue;
      const inner = deepest(first);
      if (best === undefined || inner.path.length > best.path.length) best = inner;
    }
    if (best !== undefined) return { issue: best.issue, path: [...issue.path, ...best.path] };
  }
  return { issue, path: issue.path };
}

export function parseAnthropicRequest(json: unknown): ParseResult<AnthropicRequest> {
  return parseWith(anthropicRequestSchema, json);
}

/** Parses `json` with `schema` (the Messages request or a variant of it), naming the most specific bad field. */
export function parseWith<T>(schema: z.ZodType<T>, json: unknown): ParseResult<T> {
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const top = parsed.error.issues[0];
  if (top === undefined) return { ok: false, message: "Invalid request body", param: null };
  const { issue, path } = deepest(top);
  if (issue.code === "unrecognized_keys") {
    const param = [...path, issue.keys[0] ?? ""].map(String).join(".");
    return { ok: false, message: `Unsupported field \`${param}\`: this gateway does not translate it`, param };
  }
  const param = path.length > 0 ? path.map(String).join(".") : null;
  const message = param === null ? `Invalid request body: ${issue.message}` : `Invalid \`${param}\`: ${issue.message}`;
  return { ok: false, message, param };
}
