import { sha256Hex } from "../auth/hash";
import type { ChatMessage, ChatRequest, ContentPart } from "../canonical/chat";
import { canonicalJson } from "./canonical-json";

/**
 * Cache keys of a chat request: what a hit must share exactly (the scope), and what may merely be similar (the
 * prompt text).
 *
 * THE SCOPING RULE. A cached answer may serve a request only when all of these hold:
 * - same tenant (the store is partitioned by the authenticated tenant; the tenant is in the hash as well);
 * - same model alias (the alias the request resolved to, whether it named the alias or a route);
 * - the same conversation apart from the text of the last user turn: every system/developer message, every earlier
 *   turn, every message after the last user turn (tool calls and results), and the last user turn's non-text parts
 *   (images, files) and `name` are all hashed into the scope;
 * - the same tools, tool_choice, parallel_tool_calls and response_format;
 * - compatible sampling: the same n, stop, seed, max output tokens (max_completion_tokens or max_tokens), top_p,
 *   penalties, logit_bias and every other request field we do not know, compared exactly. Temperature is NOT
 *   compared: every request the cache serves or stores has a temperature at or below the policy's
 *   `max_temperature` (requests above it bypass the cache), and within that bound answers are interchangeable.
 *   Fields that do not change the answer are ignored: stream, stream_options, user, metadata, store.
 *
 * What is embedded for a multi-turn conversation: the last user turn's text (its text parts joined by newlines), so
 * a follow-up question is compared with other follow-ups to the same earlier conversation, never with a fresh
 * question. The exact key is the scope plus that text, normalised (Unicode NFC, trimmed): one hash of the whole
 * normalised request.
 */
export interface CacheKeys {
  scope: string;
  exact: string;
  /** Text to embed and to compare in the hit decision; "" when the request has no user turn (exact cache only). */
  prompt: string;
}

/** Request fields that do not change the answer, or that the scope handles on its own terms. */
const IGNORED_FIELDS = new Set([
  "model",
  "messages",
  "stream",
  "stream_options",
  "user",
  "metadata",
  "store",
  "temperature",
  "max_tokens",
  "max_completion_tokens",
  "n",
  "stop",
]);

const SCOPE_VERSION = 1;

function normaliseText(text: string): string {
  return text.normalize("NFC").trim();
}

function isTextPart(part: ContentPart): part is { type: "text"; text: string } {
  return part.type === "text" && typeof (part as { text?: unknown }).text === "string";
}

/** A string, or the text parts of an array joined by newlines. */
function textOf(content: ChatMessage["content"]): string {
  if (typeof content === "string") return normaliseText(content);
  if (!Array.isArray(content)) return "";
  return normaliseText(
    content
      .filter(isTextPart)
      .map((p) => p.text)
      .join("\n"),
  );
}

/** Content in one form whether it was sent as a string or as text parts only. */
function normalisedContent(content: ChatMessage["content"]): unknown {
  if (!Array.isArray(content)) return typeof content === "string" ? normaliseText(content) : (content ?? null);
  return content.every(isTextPart) ? textOf(content) : content;
}

function normalisedMessage(m: ChatMessage): unknown {
  return { ...m, content: normalisedContent(m.content) };
}

function lastUserIndex(messages: readonly ChatMessage[]): number {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]?.role === "user") return i;
  return -1;
}

function samplingParams(req: ChatRequest): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(req)) {
    if (!IGNORED_FIELDS.has(key) && value !== undefined && value !== null) params[key] = value;
  }
  params.n = req.n ?? 1;
  const stop = req.stop ?? [];
  params.stop = typeof stop === "string" ? [stop] : stop;
  params.max_output_tokens = req.max_completion_tokens ?? req.max_tokens ?? null;
  return params;
}

/** The text the cache (and the learned router) embeds: the last user turn's text. */
export function cachePrompt(req: ChatRequest): string {
  const at = lastUserIndex(req.messages);
  const last = at === -1 ? undefined : req.messages[at];
  return last === undefined ? "" : textOf(last.content);
}

export async function cacheKeys(
  tenantId: string,
  alias: string,
  req: ChatRequest,
  /** Which model embeds prompts: vectors of two embedders must never be compared, so it is part of the scope. */
  embedder = "",
): Promise<CacheKeys> {
  const at = lastUserIndex(req.messages);
  const prompt = cachePrompt(req);
  const conversation = req.messages.map((m, i) => {
    if (i !== at) return normalisedMessage(m);
    // The last user turn minus its text: the text is compared by similarity, everything else must match.
    const { content, ...rest } = m;
    const others = Array.isArray(content) ? content.filter((p) => !isTextPart(p)) : [];
    return { ...rest, content: others, last_user_turn: true };
  });
  const scope = await sha256Hex(
    canonicalJson({
      v: SCOPE_VERSION,
      tenant: tenantId,
      model: alias,
      embedder,
      conversation,
      params: samplingParams(req),
    }),
  );
  const exact = await sha256Hex(canonicalJson({ scope, prompt }));
  return { scope, exact, prompt };
}
