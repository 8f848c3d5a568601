import type { ChatChunk, ChatResponse } from "../../canonical/chat";

/**
 * A hand-written check for the exact shape nearly every OpenAI-compatible chunk already has. Parsing runs once per
 * streamed chunk, so the common case skips the zod schema (several times slower); anything this check does not
 * accept — a missing envelope field, `role: null`, an odd finish reason, a usage object to normalise — goes through
 * the schema, which normalises it or rejects it. A chunk accepted here is returned unchanged, and it is exactly what
 * the schema would have produced (tested side by side in test/unit/formats/openai/chunk-fast-path.test.ts).
 */
const FINISH = new Set(["stop", "length", "tool_calls", "content_filter", "function_call"]);

const isCount = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const optionalString = (v: unknown) => v === undefined || typeof v === "string";

function isToolCallDelta(v: unknown): boolean {
  if (!isObject(v) || !isCount(v.index) || !optionalString(v.id)) return false;
  if (v.type !== undefined && v.type !== "function") return false;
  const fn = v.function;
  return fn === undefined || (isObject(fn) && optionalString(fn.name) && optionalString(fn.arguments));
}

function isChoice(v: unknown): boolean {
  if (!isObject(v) || !isCount(v.index)) return false;
  if (!(v.finish_reason === null || (typeof v.finish_reason === "string" && FINISH.has(v.finish_reason)))) return false;
  const d = v.delta;
  if (!isObject(d)) return false;
  if (d.role !== undefined && d.role !== "assistant") return false;
  if (!(d.content === undefined || d.content === null || typeof d.content === "string")) return false;
  if (!(d.refusal === undefined || d.refusal === null || typeof d.refusal === "string")) return false;
  const calls = d.tool_calls;
  return calls === undefined || (Array.isArray(calls) && calls.every(isToolCallDelta));
}

function isUsage(v: unknown): boolean {
  return (
    v === undefined ||
    v === null ||
    (isObject(v) && isCount(v.prompt_tokens) && isCount(v.completion_tokens) && isCount(v.total_tokens))
  );
}

function isToolCall(v: unknown): boolean {
  if (!isObject(v) || typeof v.id !== "string" || v.type !== "function") return false;
  const fn = v.function;
  return isObject(fn) && typeof fn.name === "string" && typeof fn.arguments === "string";
}

function isCompletionChoice(v: unknown): boolean {
  if (!isObject(v) || !isCount(v.index)) return false;
  if (!(v.finish_reason === null || (typeof v.finish_reason === "string" && FINISH.has(v.finish_reason)))) return false;
  const m = v.message;
  if (!isObject(m) || m.role !== "assistant") return false;
  if (!(m.content === null || typeof m.content === "string")) return false;
  if (!(m.refusal === undefined || m.refusal === null || typeof m.refusal === "string")) return false;
  // Absent is canonical; `null` or `[]` the schema normalises away.
  const calls = m.tool_calls;
  return calls === undefined || (Array.isArray(calls) && calls.length > 0 && calls.every(isToolCall));
}

function isEnvelope(json: Record<string, unknown>, object: string): boolean {
  if (json.object !== object || typeof json.id !== "string" || typeof json.model !== "string") return false;
  if (typeof json.created !== "number") return false;
  const fp = json.system_fingerprint;
  if (!(fp === undefined || fp === null || typeof fp === "string")) return false;
  return !("error" in json && json.error !== null && json.error !== undefined);
}

/** The same fast path for a whole (non-streamed) completion; `usage` must be present or absent, not `null`. */
export function fastCompletion(json: unknown): ChatResponse | undefined {
  if (!isObject(json) || !isEnvelope(json, "chat.completion")) return undefined;
  const choices = json.choices;
  if (!Array.isArray(choices) || !choices.every(isCompletionChoice)) return undefined;
  if (json.usage !== undefined && !(isObject(json.usage) && isUsage(json.usage))) return undefined;
  return json as ChatResponse;
}

export function fastChunk(json: unknown): ChatChunk | undefined {
  if (!isObject(json) || !isEnvelope(json, "chat.completion.chunk")) return undefined;
  const choices = json.choices;
  if (!Array.isArray(choices) || !choices.every(isChoice) || !isUsage(json.usage)) return undefined;
  return json as ChatChunk;
}
