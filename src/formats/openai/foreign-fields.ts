/**
 * Fields another dialect (Anthropic) adds to the canonical request that an OpenAI-compatible upstream cannot take.
 * `cache_control` breakpoints only steer a provider's prompt cache, never the answer, so they are removed (OpenAI
 * caches prefixes on its own; `prompt_cache_key` is the OpenAI knob and passes through). `thinking` and `document`
 * parts change the answer, so a request carrying them is refused for these upstreams (the planner skips them).
 * Thinking blocks an assistant turn carries from an earlier answer are the model's private reasoning and are removed
 * (Anthropic itself ignores them for turns before the last).
 */
import type { ChatMessage, ChatRequest, ContentPart } from "../../canonical/chat";

/** Request fields no OpenAI-compatible upstream can honour: `thinking` (enabled) and `document` content parts. */
export function foreignUnsupported(req: ChatRequest): string[] {
  const out: string[] = [];
  const thinking = req.thinking;
  if (typeof thinking === "object" && thinking !== null && (thinking as { type?: unknown }).type !== "disabled") {
    out.push("thinking");
  }
  req.messages.forEach((m, i) => {
    if (!Array.isArray(m.content)) return;
    m.content.forEach((p, j) => {
      if (p.type === "document") out.push(`messages.${i}.content.${j}.type`);
    });
  });
  return out;
}

function hasForeign(value: object): boolean {
  return "cache_control" in value;
}

function cleanPart(part: ContentPart): ContentPart {
  if (!hasForeign(part)) return part;
  const { cache_control: _, ...rest } = part as ContentPart & { cache_control?: unknown };
  return rest as ContentPart;
}

const isThought = (p: ContentPart) => p.type === "thinking" || p.type === "redacted_thinking";

function cleanMessage(m: ChatMessage): ChatMessage {
  const { cache_control: _, ...rest } = m;
  const out: ChatMessage = rest;
  if (Array.isArray(m.content)) {
    const parts = m.content.filter((p) => !isThought(p)).map(cleanPart);
    out.content = parts.length === 0 && m.role === "assistant" ? null : parts;
  }
  if (m.tool_calls !== undefined) {
    out.tool_calls = m.tool_calls.map((c) => {
      const { cache_control: _cc, ...call } = c;
      return call;
    });
  }
  return out;
}

/** The body without Anthropic-only hints; the same object when it has none (the common case costs one scan). */
export function withoutForeignFields(body: Record<string, unknown> & Pick<ChatRequest, "messages" | "tools">) {
  const marked =
    "cache_control" in body ||
    "thinking" in body ||
    (body.tools ?? []).some(hasForeign) ||
    body.messages.some(
      (m) =>
        hasForeign(m) ||
        (Array.isArray(m.content) && m.content.some((p) => hasForeign(p) || isThought(p))) ||
        (m.tool_calls ?? []).some(hasForeign),
    );
  if (!marked) return body;
  const { cache_control: _, thinking: _t, ...rest } = body;
  const out: Record<string, unknown> = { ...rest, messages: body.messages.map(cleanMessage) };
  if (body.tools !== undefined) {
    out.tools = body.tools.map((t) => {
      const { cache_control: _cc, ...tool } = t;
      return tool;
    });
  }
  return out;
}
