/**
 * Canonical ChatRequest → Bedrock Converse request body (`POST /model/{modelId}/converse[-stream]`). One translation
 * for every model family Bedrock serves through Converse (Anthropic, Llama, Mistral, Titan, Nova, ...). What the wire
 * cannot say is a result naming the field, never a silent change, so the planner can pick another target.
 * Prompt-cache breakpoints (`cache_control`) become Converse `cachePoint` blocks after the part they mark.
 */
import type { ChatMessage, ChatRequest, ContentPart } from "../../canonical/chat";
import { NON_OPENAI_UNSUPPORTED, type UnsupportedField, unsupportedFields } from "../../canonical/unsupported";

export type ConverseBlock = Record<string, unknown>;
export interface ConverseMessage {
  role: "user" | "assistant";
  content: ConverseBlock[];
}
export interface ConverseRequest {
  messages: ConverseMessage[];
  system?: ConverseBlock[];
  inferenceConfig?: { maxTokens?: number; temperature?: number; topP?: number; stopSequences?: string[] };
  toolConfig?: { tools: ConverseBlock[]; toolChoice?: ConverseBlock };
}

export type Translated = { ok: true; value: ConverseRequest } | { ok: false; param: string; message: string };

/** Request fields with no Converse equivalent: those Anthropic lacks too, and the reasoning knob. */
const UNSUPPORTED: readonly UnsupportedField[] = [...NON_OPENAI_UNSUPPORTED, { param: "reasoning_effort", inert: [] }];

class Unsupported extends Error {
  constructor(
    message: string,
    readonly param: string,
  ) {
    super(message);
  }
}

const CACHE_POINT: ConverseBlock = { cachePoint: { type: "default" } };
const DATA_URL = /^data:image\/(jpeg|png|gif|webp);base64,([A-Za-z0-9+/=\s]+)$/;

export function unsupportedConverseParams(req: ChatRequest): string[] {
  const found = unsupportedFields(req, UNSUPPORTED);
  const translated = toConverseRequest(req, { defaultMaxTokens: undefined });
  if (!translated.ok && !found.includes(translated.param)) found.push(translated.param);
  return found;
}

function withCachePoint(block: ConverseBlock, marked: unknown): ConverseBlock[] {
  return marked === undefined || marked === null ? [block] : [block, CACHE_POINT];
}

function partBlocks(part: ContentPart, param: string, role: "user" | "assistant" | "system"): ConverseBlock[] {
  if (part.type === "text" && typeof part.text === "string") {
    return withCachePoint({ text: part.text }, part.cache_control);
  }
  if (role === "user" && part.type === "image_url") {
    const url = (part.image_url as { url?: unknown } | undefined)?.url;
    const data = typeof url === "string" ? DATA_URL.exec(url) : null;
    if (data?.[1] === undefined || data[2] === undefined) {
      throw new Unsupported("Bedrock Converse accepts images only as base64 data: URLs (jpeg, png, gif, webp)", param);
    }
    const image = { image: { format: data[1], source: { bytes: data[2].replace(/\s+/g, "") } } };
    return withCachePoint(image, part.cache_control);
  }
  throw new Unsupported(`Content part type "${part.type}" is not supported by Bedrock Converse`, `${param}.type`);
}

function contentBlocks(content: ChatMessage["content"], param: string, role: "user" | "assistant" | "system") {
  if (content === undefined || content === null) return [];
  if (typeof content === "string") return content === "" ? [] : [{ text: content }];
  return content.flatMap((part, i) => partBlocks(part, `${param}.${i}`, role));
}

function parseArguments(args: string, param: string): unknown {
  try {
    const value: unknown = JSON.parse(args === "" ? "{}" : args);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value;
  } catch {
    // Reported below.
  }
  throw new Unsupported("Tool call arguments must be a JSON object for Bedrock Converse", param);
}

function messageBlocks(m: ChatMessage, i: number): { role: "user" | "assistant"; blocks: ConverseBlock[] } {
  const param = `messages.${i}`;
  if (m.role === "tool") {
    if (typeof m.tool_call_id !== "string") throw new Unsupported("A tool message needs tool_call_id", param);
    const text = typeof m.content === "string" ? m.content : contentBlocks(m.content, `${param}.content`, "user");
    const content = typeof text === "string" ? [{ text }] : text.filter((b) => !("cachePoint" in b));
    const result = { toolResult: { toolUseId: m.tool_call_id, content, status: "success" } };
    return { role: "user", blocks: withCachePoint(result, m.cache_control) };
  }
  if (m.role === "assistant") {
    const blocks: ConverseBlock[] = contentBlocks(m.content, `${param}.content`, "assistant");
    for (const [k, call] of (m.tool_calls ?? []).entries()) {
      const input = parseArguments(call.function.arguments, `${param}.tool_calls.${k}.function.arguments`);
      blocks.push(
        ...withCachePoint({ toolUse: { toolUseId: call.id, name: call.function.name, input } }, call.cache_control),
      );
    }
    return { role: "assistant", blocks };
  }
  return { role: "user", blocks: contentBlocks(m.content, `${param}.content`, "user") };
}

function toolConfigOf(req: ChatRequest): ConverseRequest["toolConfig"] | undefined {
  const tools = req.tools ?? [];
  const choice = req.tool_choice;
  if (tools.length === 0) return undefined;
  if (choice === "none") {
    throw new Unsupported('Bedrock Converse cannot forbid tool use while offering tools ("none")', "tool_choice");
  }
  const specs = tools.flatMap((t) => {
    const spec: Record<string, unknown> = {
      name: t.function.name,
      inputSchema: { json: t.function.parameters ?? { type: "object", properties: {} } },
    };
    if (t.function.description !== undefined) spec.description = t.function.description;
    return withCachePoint({ toolSpec: spec }, t.cache_control);
  });
  const config: NonNullable<ConverseRequest["toolConfig"]> = { tools: specs };
  if (choice === "required") config.toolChoice = { any: {} };
  else if (typeof choice === "object") config.toolChoice = { tool: { name: choice.function.name } };
  else if (choice === "auto") config.toolChoice = { auto: {} };
  return config;
}

function inferenceConfigOf(req: ChatRequest, defaultMaxTokens: number | undefined) {
  const config: NonNullable<ConverseRequest["inferenceConfig"]> = {};
  const maxTokens = req.max_completion_tokens ?? req.max_tokens ?? defaultMaxTokens;
  if (maxTokens !== undefined && maxTokens !== null) config.maxTokens = maxTokens;
  if (req.temperature !== undefined && req.temperature !== null) config.temperature = req.temperature;
  if (req.top_p !== undefined && req.top_p !== null) config.topP = req.top_p;
  if (req.stop !== undefined && req.stop !== null)
    config.stopSequences = typeof req.stop === "string" ? [req.stop] : req.stop;
  return config;
}

export function toConverseRequest(req: ChatRequest, opts: { defaultMaxTokens: number | undefined }): Translated {
  try {
    if (req.response_format !== undefined && req.response_format.type !== "text") {
      throw new Unsupported("Bedrock Converse has no JSON output mode", "response_format");
    }
    const system: ConverseBlock[] = [];
    const messages: ConverseMessage[] = [];
    for (const [i, m] of req.messages.entries()) {
      if (m.role === "system" || m.role === "developer") {
        system.push(...contentBlocks(m.content, `messages.${i}.content`, "system"));
        continue;
      }
      const { role, blocks } = messageBlocks(m, i);
      if (blocks.length === 0) continue;
      // Converse wants alternating turns; consecutive same-role messages (tool results in a row) share one turn.
      const last = messages.at(-1);
      if (last?.role === role) last.content.push(...blocks);
      else messages.push({ role, content: blocks });
    }
    const body: ConverseRequest = { messages };
    if (system.length > 0) body.system = system;
    const inference = inferenceConfigOf(req, opts.defaultMaxTokens);
    if (Object.keys(inference).length > 0) body.inferenceConfig = inference;
    const tools = toolConfigOf(req);
    if (tools !== undefined) body.toolConfig = tools;
    return { ok: true, value: body };
  } catch (err) {
    if (err instanceof Unsupported) return { ok: false, param: err.param, message: err.message };
    throw err;
  }
}
