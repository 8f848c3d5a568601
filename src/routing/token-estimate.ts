/**
 * Cheap prompt-size estimates, used by routing rules (`min_prompt_tokens` / `max_prompt_tokens`) and for the worst-case
 * credit reservation. They run on every request before any upstream is chosen, so they must not depend on a
 * tokenizer: a tokenizer is model-specific (we do not know the model yet), large to ship in a Worker, and slow.
 *
 * Heuristic (documented; within about ±10% of o200k_base on English, other alphabets, CJK, Thai, emoji and code):
 *   tokens = ceil(script-aware weight of the text (src/routing/text-tokens.ts: ≈ 4–5 characters a token for
 *                 English and code, ≈ 1.4 for Chinese and Japanese, ≈ 2.6 for Thai, emoji ≈ 1.6 tokens each))
 *          + 4 per message (role and separators)
 *          + 3 per request (the assistant reply primer)
 *          + a fixed cost per image (85 for `detail: "low"`, 765 otherwise: OpenAI's 1024x1024 high-detail price)
 *          + the same fixed 765 per other non-text part (audio, files), whose real cost we cannot see cheaply.
 * "Text" is every string a model reads: message content, names, tool-call names and arguments, tool definitions
 * (name, description, JSON schema as serialised JSON) and a JSON-schema response format.
 * Billing never uses this estimate: settlement uses the upstream's own token count.
 */

import type { ChatMessage, ChatRequest, ContentPart, EmbeddingsRequest } from "../canonical/chat";
import { estimateTextTokens, textTokenWeight, tokensOf } from "./text-tokens";

export const TOKENS_PER_MESSAGE = 4;
export const TOKENS_PER_REQUEST = 3;
export const IMAGE_TOKENS_LOW = 85;
export const IMAGE_TOKENS = 765;
export const OTHER_PART_TOKENS = 765;

interface Tally {
  chars: number;
  /** Script-aware token weight (thousandths) of the text counted in `chars`. */
  weight: number;
  fixed: number;
}

function addText(tally: Tally, text: string): void {
  tally.chars += text.length;
  tally.weight += textTokenWeight(text);
}

function tallyPrompt(req: ChatRequest): Tally {
  const tally: Tally = { chars: 0, weight: 0, fixed: TOKENS_PER_REQUEST };
  for (const message of req.messages) addMessage(tally, message);
  for (const tool of req.tools ?? []) addText(tally, JSON.stringify(tool.function));
  const schema = req.response_format?.json_schema;
  if (schema !== undefined) addText(tally, JSON.stringify(schema));
  return tally;
}

export function estimatePromptTokens(req: ChatRequest): number {
  const tally = tallyPrompt(req);
  return tokensOf(tally.weight) + tally.fixed;
}

/**
 * Characters of message text in `req` (no tool definitions, schemas or fixed costs): a lower bound of what the model
 * reads, which billing compares a reported prompt count with.
 */
export function promptTextChars(req: ChatRequest): number {
  const tally: Tally = { chars: 0, weight: 0, fixed: 0 };
  for (const message of req.messages) addMessage(tally, message);
  return tally.chars;
}

/** Embeddings inputs given as token arrays are exact counts; strings use the same script-aware estimate. */
export function estimateEmbeddingsTokens(req: EmbeddingsRequest): number {
  const input = req.input;
  if (typeof input === "string") return estimateTextTokens(input);
  let tokens = 0;
  for (const item of input) {
    if (typeof item === "string") tokens += estimateTextTokens(item);
    else if (typeof item === "number") tokens += 1;
    else tokens += item.length;
  }
  return tokens;
}

function addMessage(tally: Tally, message: ChatMessage): void {
  tally.fixed += TOKENS_PER_MESSAGE;
  const content = message.content;
  if (typeof content === "string") addText(tally, content);
  else if (Array.isArray(content)) for (const part of content) addPart(tally, part);
  if (typeof message.name === "string") addText(tally, message.name);
  for (const call of message.tool_calls ?? []) {
    addText(tally, call.function.name);
    addText(tally, call.function.arguments);
  }
}

function addPart(tally: Tally, part: ContentPart): void {
  if (part.type === "text" && typeof part.text === "string") {
    addText(tally, part.text);
  } else if (part.type === "refusal" && typeof part.refusal === "string") {
    addText(tally, part.refusal);
  } else if ((part.type === "thinking" && typeof part.thinking === "string") || part.type === "redacted_thinking") {
    // Earlier reasoning passed back: Anthropic counts it only for the latest turn; estimated as text, worst case.
    addText(tally, typeof part.thinking === "string" ? part.thinking : String(part.data ?? ""));
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
