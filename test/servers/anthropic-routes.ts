import { z } from "zod";
import { type Conversation, contentText, type Parsed, promptTokensOf } from "../../local/conversation";
import { type SseFrame, sseJson } from "../../local/sse";
import { sliceString, wordPieces } from "../../local/words";
import type { Directives } from "./directives";
import { anthropicErrorBody, errorFrame } from "./errors";
import type { Outcome } from "./outcome";
import { type FakeReply, fakeCompletionTokens, planFakeReply } from "./reply";
import type { FakeRoute, RouteInput } from "./route";

/** Anthropic Messages API (`POST /anthropic/v1/messages`): JSON and the documented SSE event sequence. */

const BlockSchema = z.looseObject({ type: z.string() });
const ContentSchema = z.union([z.string(), z.array(BlockSchema)]);

const BodySchema = z.looseObject({
  model: z.string().min(1),
  max_tokens: z.number().int().positive(),
  messages: z.array(z.looseObject({ role: z.enum(["user", "assistant"]), content: ContentSchema })).min(1),
  system: z.union([z.string(), z.array(BlockSchema)]).nullish(),
  stream: z.boolean().nullish(),
  tools: z.array(z.looseObject({ name: z.string().min(1) })).nullish(),
  tool_choice: z.looseObject({ type: z.string(), name: z.string().optional() }).nullish(),
  thinking: z
    .looseObject({ type: z.enum(["enabled", "disabled"]), budget_tokens: z.number().int().min(1024).optional() })
    .nullish(),
});

type Block = z.infer<typeof BlockSchema>;

function blockText(block: Block): string {
  if (block.type === "text" && typeof block.text === "string") return block.text;
  if (block.type === "tool_use") return JSON.stringify(block.input ?? {});
  if (block.type === "tool_result") return contentText(block.content);
  return "";
}

function blocksOf(content: string | Block[]): Block[] {
  return typeof content === "string" ? [{ type: "text", text: content }] : content;
}

type AnthropicConversation = Conversation & { thinking?: string };

export function parseAnthropic(body: unknown, model: string): Parsed<AnthropicConversation> {
  const parsed = BodySchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, message: issue ? `${issue.path.join(".")}: ${issue.message}` : "invalid request body" };
  }
  const b = parsed.data;
  const texts: string[] = [contentText(b.system ?? "")];
  let lastUserText = "";
  for (const m of b.messages) {
    const blocks = blocksOf(m.content);
    texts.push(...blocks.map(blockText));
    const userText = blocks.filter((x) => x.type === "text").map(blockText);
    if (m.role === "user" && userText.length > 0) lastUserText = userText.join("\n");
  }
  const conv: Conversation & { thinking?: string } = {
    model,
    promptTokens: promptTokensOf(texts),
    lastUserText,
    maxTokens: b.max_tokens,
    stream: b.stream === true,
    includeUsage: false,
  };
  // With thinking enabled the fake "reasons" first: a thinking block that names the question.
  if (b.thinking?.type === "enabled") conv.thinking = `considering: ${lastUserText}`;
  const last = b.messages[b.messages.length - 1];
  const toolResult = last ? blocksOf(last.content).find((x) => x.type === "tool_result") : undefined;
  if (toolResult !== undefined) conv.toolResultText = blockText(toolResult);
  else if (last?.role === "user" && b.tools?.[0] !== undefined && b.tool_choice?.type !== "none") {
    conv.toolName = b.tool_choice?.type === "tool" && b.tool_choice.name ? b.tool_choice.name : b.tools[0].name;
  }
  return { ok: true, value: conv };
}

function stopReason(reply: FakeReply): string {
  if (reply.kind === "tool") return "tool_use";
  return reply.finish === "length" ? "max_tokens" : "end_turn";
}

/** Anthropic's input_tokens excludes the prompt-cache parts, reported beside it (`cached` / `cache_write`). */
function promptUsage(conv: Conversation, d: Directives): Record<string, number> {
  const u: Record<string, number> = { input_tokens: Math.max(0, conv.promptTokens - d.cached - d.cacheWrite) };
  if (d.cached > 0 || d.cacheWrite > 0) {
    u.cache_read_input_tokens = d.cached;
    u.cache_creation_input_tokens = d.cacheWrite;
  }
  return u;
}

function usage(conv: Conversation, reply: FakeReply, d: Directives) {
  return { ...promptUsage(conv, d), output_tokens: fakeCompletionTokens(reply) };
}

function streamFrames(conv: AnthropicConversation, reply: FakeReply, id: string, toolId: string, d: Directives) {
  const omitUsage = d.omitUsage;
  const ev = (payload: { type: string; [key: string]: unknown }, content = false): SseFrame =>
    sseJson(payload, { event: payload.type, content });
  const message: Record<string, unknown> = {
    id,
    type: "message",
    role: "assistant",
    model: conv.model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
  };
  if (!omitUsage) message.usage = { ...promptUsage(conv, d), output_tokens: 0 };
  const block =
    reply.kind === "text" ? { type: "text", text: "" } : { type: "tool_use", id: toolId, name: reply.name, input: {} };
  const deltas =
    reply.kind === "text"
      ? wordPieces(reply.words).map((text) => ({ type: "text_delta", text }))
      : sliceString(reply.arguments, 12).map((partial_json) => ({ type: "input_json_delta", partial_json }));
  const messageDelta: Record<string, unknown> = {
    delta: { stop_reason: stopReason(reply), stop_sequence: null },
  };
  if (!omitUsage) messageDelta.usage = { output_tokens: fakeCompletionTokens(reply) };
  const thought = conv.thinking;
  const at = thought === undefined ? 0 : 1;
  const thinking =
    thought === undefined
      ? []
      : [
          ev({
            type: "content_block_start",
            index: 0,
            content_block: { type: "thinking", thinking: "", signature: "" },
          }),
          ...wordPieces(thought.split(" ")).map((thinking) =>
            ev({ type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking } }, true),
          ),
          ev({ type: "content_block_delta", index: 0, delta: { type: "signature_delta", signature: `sig_${id}` } }),
          ev({ type: "content_block_stop", index: 0 }),
        ];
  return [
    ev({ type: "message_start", message }),
    ...thinking,
    ev({ type: "content_block_start", index: at, content_block: block }),
    ev({ type: "ping" }),
    ...deltas.map((delta) => ev({ type: "content_block_delta", index: at, delta }, true)),
    ev({ type: "content_block_stop", index: at }),
    ev({ type: "message_delta", ...messageDelta }),
    ev({ type: "message_stop" }),
  ];
}

export function messages({ body, model, directives: d, seq }: RouteInput): Outcome {
  const parsed = parseAnthropic(body, model);
  if (!parsed.ok) return { kind: "json", status: 400, body: anthropicErrorBody(400, parsed.message) };
  const conv = parsed.value;
  const reply = planFakeReply(conv, d.tokens);
  const id = `msg_fake_${seq}`;
  const toolId = `toolu_fake_${seq}`;
  const answer = { promptTokens: conv.promptTokens, completionTokens: fakeCompletionTokens(reply) };
  if (conv.stream) {
    return {
      kind: "sse",
      frames: streamFrames(conv, reply, id, toolId, d),
      errorFrame: errorFrame("anthropic"),
      answer,
    };
  }
  const content =
    reply.kind === "text"
      ? [{ type: "text", text: reply.words.join(" ") }]
      : [{ type: "tool_use", id: toolId, name: reply.name, input: reply.input }];
  const thinking =
    conv.thinking === undefined ? [] : [{ type: "thinking", thinking: conv.thinking, signature: `sig_${id}` }];
  const json: Record<string, unknown> = {
    id,
    type: "message",
    role: "assistant",
    model,
    content: [...thinking, ...content],
    stop_reason: stopReason(reply),
    stop_sequence: null,
  };
  if (!d.omitUsage) json.usage = usage(conv, reply, d);
  return { kind: "json", status: 200, body: json, answer };
}

/** `POST /messages/count_tokens`: the fake's own prompt count (one token a word), as Anthropic's free endpoint. */
function countTokens({ body, model }: RouteInput): Outcome {
  const bad = (message: string): Outcome => ({ kind: "json", status: 400, body: anthropicErrorBody(400, message) });
  if (typeof body !== "object" || body === null) return bad("body must be an object");
  if ("max_tokens" in body || "stream" in body) return bad("count_tokens takes no max_tokens or stream");
  const parsed = parseAnthropic({ ...body, max_tokens: 1 }, model);
  if (!parsed.ok) return bad(parsed.message);
  return { kind: "json", status: 200, body: { input_tokens: parsed.value.promptTokens } };
}

export const anthropicRoutes: FakeRoute[] = [
  { dialect: "anthropic", method: "POST", pattern: /^\/anthropic\/v1\/messages$/, modelFrom: "body", handle: messages },
  {
    dialect: "anthropic",
    method: "POST",
    pattern: /^\/anthropic\/v1\/messages\/count_tokens$/,
    modelFrom: "body",
    handle: countTokens,
  },
];
