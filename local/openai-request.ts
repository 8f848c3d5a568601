import { z } from "zod";
import { type Conversation, contentText, type Parsed, promptTokensOf } from "./conversation";

const ToolCallSchema = z.looseObject({
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});

const MessageSchema = z.looseObject({
  role: z.string(),
  content: z.unknown().optional(),
  tool_calls: z.array(ToolCallSchema).nullish(),
});

const ToolChoiceSchema = z.union([
  z.enum(["none", "auto", "required"]),
  z.looseObject({ type: z.literal("function"), function: z.looseObject({ name: z.string() }) }),
]);

const ChatBodySchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(MessageSchema).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  tools: z.array(z.looseObject({ function: z.looseObject({ name: z.string().min(1) }) })).nullish(),
  tool_choice: ToolChoiceSchema.nullish(),
});

export type OpenAiChatBody = z.infer<typeof ChatBodySchema>;

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return "invalid request body";
  const path = issue.path.join(".");
  return path === "" ? issue.message : `${path}: ${issue.message}`;
}

export function parseOpenAiChat(body: unknown): Parsed<{ body: OpenAiChatBody; conversation: Conversation }> {
  const parsed = ChatBodySchema.safeParse(body);
  if (!parsed.success) return { ok: false, message: firstIssue(parsed.error) };
  const b = parsed.data;

  const texts: string[] = [];
  let lastUserText = "";
  for (const m of b.messages) {
    const text = contentText(m.content);
    texts.push(text);
    for (const call of m.tool_calls ?? []) texts.push(call.function.arguments);
    if (m.role === "user") lastUserText = text;
  }
  const last = b.messages[b.messages.length - 1];
  const lastRole = last?.role;

  const conversation: Conversation = {
    model: b.model,
    promptTokens: promptTokensOf(texts),
    lastUserText,
    stream: b.stream === true,
    includeUsage: b.stream_options?.include_usage === true,
  };
  const maxTokens = b.max_completion_tokens ?? b.max_tokens;
  if (maxTokens != null) conversation.maxTokens = maxTokens;
  if (lastRole === "tool") conversation.toolResultText = contentText(last?.content);
  const toolName = chooseTool(b);
  if (lastRole === "user" && toolName !== undefined) conversation.toolName = toolName;
  return { ok: true, value: { body: b, conversation } };
}

function chooseTool(b: OpenAiChatBody): string | undefined {
  const first = b.tools?.[0]?.function.name;
  if (first === undefined || b.tool_choice === "none") return undefined;
  if (typeof b.tool_choice === "object" && b.tool_choice !== null) return b.tool_choice.function.name;
  return first;
}

const EmbeddingsBodySchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.string()).min(1)]),
  encoding_format: z.enum(["float", "base64"]).nullish(),
  dimensions: z.number().int().min(8).max(4096).nullish(),
});

export type OpenAiEmbeddingsBody = z.infer<typeof EmbeddingsBodySchema>;

/** Token-array inputs are refused: these servers have no vocabulary to decode them with. */
export function parseOpenAiEmbeddings(body: unknown): Parsed<OpenAiEmbeddingsBody> {
  const parsed = EmbeddingsBodySchema.safeParse(body);
  if (!parsed.success) return { ok: false, message: firstIssue(parsed.error) };
  return { ok: true, value: parsed.data };
}

export function embeddingInputs(body: OpenAiEmbeddingsBody): string[] {
  return typeof body.input === "string" ? [body.input] : body.input;
}
