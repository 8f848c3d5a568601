import { z } from "zod";
import { type Conversation, contentText, type Parsed, promptTokensOf } from "../../local/conversation";
import { type SseFrame, sseJson } from "../../local/sse";
import { sliceString, wordPieces } from "../../local/words";
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

export function parseAnthropic(body: unknown, model: string): Parsed<Conversation> {
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
  const conv: Conversation = {
    model,
    promptTokens: promptTokensOf(texts),
    lastUserText,
    maxTokens: b.max_tokens,
    stream: b.stream === true,
    includeUsage: false,
  };
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

function usage(conv: Conversation, reply: FakeReply) {
  return { input_tokens: conv.promptTokens, output_tokens: fakeCompletionTokens(reply) };
}

function streamFrames(conv: Conversation, reply: FakeReply, id: string, toolId: string, omitUsage: boolean) {
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
  if (!omitUsage) message.usage = { input_tokens: conv.promptTokens, output_tokens: 0 };
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
  return [
    ev({ type: "message_start", message }),
    ev({ type: "content_block_start", index: 0, content_block: block }),
    ev({ type: "ping" }),
    ...deltas.map((delta) => ev({ type: "content_block_delta", index: 0, delta }, true)),
    ev({ type: "content_block_stop", index: 0 }),
    ev({ type: "message_delta", ...messageDelta }),
    ev({ type: "message_stop" }),
  ];
}

function messages({ body, model, directives: d, seq }: RouteInput): Outcome {
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
      frames: streamFrames(conv, reply, id, toolId, d.omitUsage),
      errorFrame: errorFrame("anthropic"),
      answer,
    };
  }
  const content =
    reply.kind === "text"
      ? [{ type: "text", text: reply.words.join(" ") }]
      : [{ type: "tool_use", id: toolId, name: reply.name, input: reply.input }];
  const json: Record<string, unknown> = {
    id,
    type: "message",
    role: "assistant",
    model,
    content,
    stop_reason: stopReason(reply),
    stop_sequence: null,
  };
  if (!d.omitUsage) json.usage = usage(conv, reply);
  return { kind: "json", status: 200, body: json, answer };
}

export const anthropicRoutes: FakeRoute[] = [
  { dialect: "anthropic", method: "POST", pattern: /^\/anthropic\/v1\/messages$/, modelFrom: "body", handle: messages },
];
