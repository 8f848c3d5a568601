import { countTokens } from "./words";

/**
 * What a deterministic server needs to know about a chat request, whatever wire format it came in. Each format's
 * parser fills it; answer generation never looks at the raw body.
 */
export interface Conversation {
  /** Model name as requested (after any directive suffix was stripped by the caller). */
  model: string;
  /** Tokens (words) across all input text: system prompt, messages, tool arguments and tool results. */
  promptTokens: number;
  /** Text of the last user message ("" when there is none). */
  lastUserText: string;
  /** Text of the tool result when the last message is one; the answer then acknowledges it. */
  toolResultText?: string;
  /** Tool to call when the last message is from the user; absent without tools or when tools are switched off. */
  toolName?: string;
  maxTokens?: number;
  stream: boolean;
  /** OpenAI `stream_options.include_usage`. */
  includeUsage: boolean;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

export function promptTokensOf(texts: readonly string[]): number {
  let n = 0;
  for (const t of texts) n += countTokens(t);
  return n;
}

/** Text of OpenAI- or Anthropic-style content: a string, or an array of parts whose `text` fields are joined. */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  const texts: string[] = [];
  for (const part of content) {
    if (typeof part !== "object" || part === null) continue;
    const text = (part as { text?: unknown }).text;
    if (typeof text === "string") texts.push(text);
  }
  return texts.join("\n");
}
