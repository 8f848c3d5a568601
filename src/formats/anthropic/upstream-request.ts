/**
 * Canonical ChatRequest → Anthropic Messages request body, for calling Anthropic as an upstream.
 * Anything that cannot be said faithfully on this wire is an error result naming the field, never a silent change:
 * the caller (the adapter) reports it so the planner can pick another target.
 */

import { z } from "zod";
import type { ChatMessage, ChatRequest, ContentPart, ToolCall } from "../../canonical/chat";
import {
  type AnthropicAssistantBlock,
  type AnthropicCacheControl,
  type AnthropicImageSource,
  type AnthropicMessageParam,
  type AnthropicRequest,
  type AnthropicToolChoice,
  type AnthropicUserBlock,
  cacheControl,
  documentBlock,
  type ParseResult,
  redactedThinkingBlock,
  thinkingBlock,
  thinkingConfig,
} from "./request-schema";

const documentPart = documentBlock;
const thinkingPart = z.union([thinkingBlock, redactedThinkingBlock]);

export interface ToAnthropicOptions {
  /** Anthropic requires `max_tokens`; used when the request sets neither max_completion_tokens nor max_tokens. */
  defaultMaxTokens: number;
}

type Block = AnthropicUserBlock | AnthropicAssistantBlock;
type Turn = { role: "user" | "assistant"; content: string | Block[] };

class Unsupported extends Error {
  constructor(
    message: string,
    readonly param: string,
  ) {
    super(message);
  }
}

const DATA_URL = /^data:(image\/(?:jpeg|png|gif|webp));base64,([A-Za-z0-9+/=\s]+)$/;

export function imageSourceOf(url: string, param: string): AnthropicImageSource {
  const data = DATA_URL.exec(url);
  if (data?.[1] && data[2]) {
    const media = data[1] as "image/jpeg" | "image/png" | "image/gif" | "image/webp";
    return { type: "base64", media_type: media, data: data[2] };
  }
  if (/^https?:\/\//i.test(url)) return { type: "url", url };
  throw new Unsupported(
    "Anthropic accepts only http(s) URLs or base64 data: URLs of jpeg, png, gif or webp images",
    param,
  );
}

/** Where a part sits decides what it may be: images and documents in user turns, thinking in assistant turns. */
type Place = "user" | "assistant" | "system";

/** The breakpoint of a canonical part, tool call, tool or message, checked (a client's OpenAI-format part may say anything). */
function cacheOf(value: object, param: string): { cache_control?: AnthropicCacheControl } {
  if (!("cache_control" in value) || value.cache_control == null) return {};
  const parsed = cacheControl.safeParse(value.cache_control);
  if (!parsed.success) {
    throw new Unsupported(
      'cache_control must be {"type":"ephemeral"} with an optional ttl of "5m" or "1h"',
      param === "" ? "cache_control" : `${param}.cache_control`,
    );
  }
  return { cache_control: parsed.data };
}

function partToBlock(part: ContentPart, param: string, place: Place): Block {
  const cc = cacheOf(part, param);
  if (part.type === "text" && typeof part.text === "string") return { type: "text", text: part.text, ...cc };
  if (place === "user" && part.type === "image_url" && typeof part.image_url === "object" && part.image_url !== null) {
    const url = (part.image_url as { url?: unknown }).url;
    if (typeof url === "string") return { type: "image", source: imageSourceOf(url, `${param}.image_url.url`), ...cc };
  }
  if (place === "user" && part.type === "document") {
    const doc = documentPart.safeParse(part);
    if (doc.success) return doc.data;
    throw new Unsupported("Document parts need a base64 PDF, a URL or plain text source", `${param}.source`);
  }
  if (place === "assistant" && (part.type === "thinking" || part.type === "redacted_thinking")) {
    const thought = thinkingPart.safeParse(part);
    if (thought.success) return thought.data;
  }
  throw new Unsupported(`Content part type \`${part.type}\` cannot be sent to Anthropic here`, `${param}.type`);
}

function blocksOf(content: ChatMessage["content"], param: string, place: Place): Block[] {
  if (content === null || content === undefined) return [];
  if (typeof content === "string") return content === "" ? [] : [{ type: "text" as const, text: content }];
  return content
    .map((p, j) => partToBlock(p, `${param}.${j}`, place))
    .filter((b) => b.type !== "text" || b.text !== "");
}

function toolUseOf(call: ToolCall, param: string): AnthropicAssistantBlock {
  let input: unknown;
  try {
    input = JSON.parse(call.function.arguments || "{}");
  } catch {
    input = undefined;
  }
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new Unsupported(
      "Tool call arguments must be a JSON object to be sent to Anthropic",
      `${param}.function.arguments`,
    );
  }
  return {
    type: "tool_use",
    id: call.id,
    name: call.function.name,
    input: input as Record<string, unknown>,
    ...cacheOf(call, param),
  };
}

function turnOf(m: ChatMessage, i: number): Turn | null {
  const param = `messages.${i}`;
  switch (m.role) {
    case "user":
      if (typeof m.content === "string") return { role: "user", content: m.content };
      return { role: "user", content: blocksOf(m.content, `${param}.content`, "user") };
    case "assistant": {
      const blocks: Block[] = blocksOf(m.content, `${param}.content`, "assistant");
      (m.tool_calls ?? []).forEach((c, j) => {
        blocks.push(toolUseOf(c, `${param}.tool_calls.${j}`));
      });
      if (blocks.length === 0) return null; // an empty turn says nothing, and Anthropic rejects empty content
      if (typeof m.content === "string" && blocks.length === 1) return { role: "assistant", content: m.content };
      return { role: "assistant", content: blocks };
    }
    case "tool": {
      if (typeof m.tool_call_id !== "string")
        throw new Unsupported("Tool messages need tool_call_id", `${param}.tool_call_id`);
      const result: AnthropicUserBlock = { type: "tool_result", tool_use_id: m.tool_call_id, ...cacheOf(m, param) };
      if (typeof m.content === "string") {
        if (m.content !== "") result.content = m.content;
      } else if (m.content) {
        result.content = blocksOf(m.content, `${param}.content`, "user").filter(
          (b): b is Extract<Block, { type: "text" | "image" }> => b.type === "text" || b.type === "image",
        );
      }
      return { role: "user", content: [result] };
    }
    default:
      return null;
  }
}

function asBlocks(content: string | Block[]): Block[] {
  return typeof content === "string" ? (content === "" ? [] : [{ type: "text", text: content }]) : content;
}

function systemOf(messages: ChatMessage[]): AnthropicRequest["system"] {
  const system = messages.map((m, i) => ({ m, i })).filter(({ m }) => m.role === "system" || m.role === "developer");
  const only = system[0];
  if (only === undefined) return undefined;
  if (system.length === 1 && typeof only.m.content === "string") return only.m.content;
  return system.flatMap(
    ({ m, i }) => blocksOf(m.content, `messages.${i}.content`, "system") as Extract<Block, { type: "text" }>[],
  );
}

/** Anthropic wants alternating turns: consecutive same-role turns (e.g. several tool results) become one. */
function messagesOf(messages: ChatMessage[]): AnthropicMessageParam[] {
  const turns: Turn[] = [];
  messages.forEach((m, i) => {
    const turn = turnOf(m, i);
    if (turn === null) return;
    const last = turns[turns.length - 1];
    if (last?.role === turn.role) last.content = [...asBlocks(last.content), ...asBlocks(turn.content)];
    else turns.push(turn);
  });
  // Sound: user turns only ever receive user blocks and assistant turns assistant blocks (see turnOf).
  return turns as AnthropicMessageParam[];
}

function toolChoiceOf(req: ChatRequest): AnthropicToolChoice | undefined {
  const noParallel = req.parallel_tool_calls === false ? { disable_parallel_tool_use: true } : {};
  const c = req.tool_choice;
  if (c === "none") return { type: "none" };
  if (c === "required") return { type: "any", ...noParallel };
  if (typeof c === "object") return { type: "tool", name: c.function.name, ...noParallel };
  if (c === "auto" || req.parallel_tool_calls === false) return { type: "auto", ...noParallel };
  return undefined;
}

function build(req: ChatRequest, upstreamModel: string, opts: ToAnthropicOptions): AnthropicRequest {
  if (req.temperature != null && req.temperature > 1) {
    throw new Unsupported("Anthropic accepts temperature from 0 to 1", "temperature");
  }
  const format = req.response_format?.type;
  if (format !== undefined && format !== "text") {
    throw new Unsupported(`response_format \`${format}\` is not supported by Anthropic upstreams`, "response_format");
  }
  const body: AnthropicRequest = {
    model: upstreamModel,
    max_tokens: req.max_completion_tokens ?? req.max_tokens ?? opts.defaultMaxTokens,
    messages: messagesOf(req.messages),
  };
  const system = systemOf(req.messages);
  if (system !== undefined) body.system = system;
  if (req.temperature != null) body.temperature = req.temperature;
  if (req.top_p != null) body.top_p = req.top_p;
  if (typeof req.top_k === "number") body.top_k = req.top_k;
  if (req.stop != null) body.stop_sequences = typeof req.stop === "string" ? [req.stop] : req.stop;
  if (req.tools !== undefined && req.tools.length > 0) {
    body.tools = req.tools.map((t, j) => {
      if (t.type !== "function")
        throw new Unsupported(`Tool type \`${String(t.type)}\` is not supported`, `tools.${j}.type`);
      const f = t.function;
      // Anthropic requires an object schema; OpenAI allows omitting parameters for a no-argument function.
      const input_schema = f.parameters
        ? { ...f.parameters, type: "object" as const }
        : { type: "object" as const, properties: {} };
      const cc = cacheOf(t, `tools.${j}`);
      return f.description === undefined
        ? { name: f.name, input_schema, ...cc }
        : { name: f.name, description: f.description, input_schema, ...cc };
    });
    const choice = toolChoiceOf(req);
    if (choice !== undefined) body.tool_choice = choice;
  }
  if (typeof req.user === "string") body.metadata = { user_id: req.user };
  if (req.thinking !== undefined && req.thinking !== null) {
    const thinking = thinkingConfig.safeParse(req.thinking);
    if (!thinking.success) {
      throw new Unsupported(
        'thinking must be {"type":"enabled","budget_tokens":>=1024} or {"type":"disabled"}',
        "thinking",
      );
    }
    body.thinking = thinking.data;
  }
  Object.assign(body, cacheOf(req, ""));
  return body;
}

export function canonicalToAnthropicRequest(
  req: ChatRequest,
  upstreamModel: string,
  opts: ToAnthropicOptions,
): ParseResult<AnthropicRequest> {
  try {
    return { ok: true, value: build(req, upstreamModel, opts) };
  } catch (err) {
    if (err instanceof Unsupported) return { ok: false, message: err.message, param: err.param };
    throw err;
  }
}
