/**
 * Cheap prompt-size estimates, used by routing rules (`min_prompt_tokens` / `max_prompt_tokens`) and for the worst-case
 * credit reservation. They run on every request before any upstream is chosen, so they must not depend on a
 * tokenizer: a tokenizer is model-specific (we do not know the model yet), large to ship in a Worker, and slow.
 *
 * Heuristic (documented, deliberately simple, tends to over- rather than under-count for English and code):
 *   tokens = ceil(text characters / 4)
 *          + 4 per message (role and separators)
 *          + 3 per request (the assistant reply primer)
 *          + a fixed cost per image (85 for `detail: "low"`, 765 otherwise: OpenAI's 1024x1024 high-detail price)
 *          + the same fixed 765 per other non-text part (audio, files), whose real cost we cannot see cheaply.
 * "Text" is every string a model reads: message content, names, tool-call names and arguments, tool definitions
 * (name, description, JSON schema as serialised JSON) and a JSON-schema response format.
 * Billing never uses this estimate: settlement uses the upstream's own token count.
 */

import type { ChatMessage, ChatRequest, ContentPart, EmbeddingsRequest } from "../canonical/chat";

export const CHARS_PER_TOKEN = 4;
export const TOKENS_PER_MESSAGE = 4;
export const TOKENS_PER_REQUEST = 3;
export const IMAGE_TOKENS_LOW = 85;
export const IMAGE_TOKENS = 765;
export const OTHER_PART_TOKENS = 765;

interface Tally {
  chars: number;
  fixed: number;
}

function tallyPrompt(req: ChatRequest): Tally {
  const tally: Tally = { chars: 0, fixed: TOKENS_PER_REQUEST };
  for (const message of req.messages) addMessage(tally, message);
  for (const tool of req.tools ?? []) tally.chars += JSON.stringify(tool.function).length;
  const schema = req.response_format?.json_schema;
  if (schema !== undefined) tally.chars += JSON.stringify(schema).length;
  return tally;
}

export function estimatePromptTokens(req: ChatRequest): number {
  const tally = tallyPrompt(req);
  return Math.ceil(tally.chars / CHARS_PER_TOKEN) + tally.fixed;
}

/**
 * Characters of message text in `req` (no tool definitions, schemas or fixed costs): a lower bound of what the model
 * reads, which billing compares a reported prompt count with.
 */
export function promptTextChars(req: ChatRequest): number {
  const tally: Tally = { chars: 0, fixed: 0 };
  for (const message of req.messages) addMessage(tally, message);
  return tally.chars;
}

/** Embeddings inputs given as token arrays are exact counts; strings use the same chars/4 rule. */
export function estimateEmbeddingsTokens(req: EmbeddingsRequest): number {
  const input = req.input;
  if (typeof input === "string") return Math.ceil(input.length / CHARS_PER_TOKEN);
  let tokens = 0;
  for (const item of input) {
    if (typeof item === "string") tokens += Math.ceil(item.length / CHARS_PER_TOKEN);
    else if (typeof item === "number") tokens += 1;
    else tokens += item.length;
  }
  return tokens;
}

function addMessage(tally: Tally, message: ChatMessage): void {
  tally.fixed += TOKENS_PER_MESSAGE;
  const content = message.content;
  if (typeof content === "string") tally.chars += content.length;
  else if (Array.isArray(content)) for (const part of content) addPart(tally, part);
  if (typeof message.name === "string") tally.chars += message.name.length;
  for (const call of message.tool_calls ?? []) {
    tally.chars += call.function.name.length + call.function.arguments.length;
  }
}

function addPart(tally: Tally, part: ContentPart): void {
  if (part.type === "text" && typeof part.text === "string") {
    tally.chars += part.text.length;
  } else if (part.type === "refusal" && typeof part.refusal === "string") {
    tally.chars += part.refusal.length;
  } else if (part.type === "image_url") {
    tally.fixed += isLowDetail(part) ? IMAGE_TOKENS_LOW : IMAGE_TOKENS;
  } else {
    tally.fixed += OTHER_PART_TOKENS;
  }
}

function isLowDetail(part: ContentPart): boolean {
  const image = (part as { image_url?: unknown }).image_url;
  return typeof image === "object" && image !== null && "detail" in image && image.detail === "low";
}
