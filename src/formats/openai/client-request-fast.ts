import type { ChatRequest } from "../../canonical/chat";

/**
 * A hand-written check for the request shape nearly every chat call has (a model, text messages, a few scalar
 * options), run before the zod schema: the schema costs several microseconds per request, this a few hundred
 * nanoseconds. It only ever ACCEPTS, and only what the schema accepts and would return unchanged (same keys, same
 * values; the schema copies objects and orders keys, which nothing downstream depends on). Anything else — a null
 * where the schema turns null into "absent", tools, tool_choice, response_format, content parts, an assistant turn
 * without text, a value out of range — returns undefined and goes through the schema, which alone writes the error
 * messages. test/unit/formats/openai/client-request-fast.test.ts checks it against the schema side by side.
 */

type Check = (value: unknown) => boolean;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const nonEmptyString = (v: unknown): boolean => typeof v === "string" && v.length > 0;
const optionalName = (v: unknown): boolean => v === undefined || nonEmptyString(v);

const intIn =
  (min: number, max: number): Check =>
  (v) =>
    v === null || (typeof v === "number" && Number.isSafeInteger(v) && v >= min && v <= max);
const numberIn =
  (min: number, max: number): Check =>
  (v) =>
    v === null || (typeof v === "number" && v >= min && v <= max);
const nullableBoolean: Check = (v) => v === null || typeof v === "boolean";

function isStop(v: unknown): boolean {
  if (v === null || typeof v === "string") return true;
  return Array.isArray(v) && v.length <= 4 && v.every((s) => typeof s === "string");
}

function isStreamOptions(v: unknown): boolean {
  return v === null || (isObject(v) && (v.include_usage === undefined || typeof v.include_usage === "boolean"));
}

/**
 * The schema's scalar options, each with the values it keeps as they are. `stream`, `user` and
 * `parallel_tool_calls` turn null into "absent", so null is left to the schema there.
 */
const OPTIONS: ReadonlyMap<string, Check> = new Map([
  ["stream", (v) => typeof v === "boolean"],
  ["stream_options", isStreamOptions],
  ["max_tokens", intIn(1, Number.MAX_SAFE_INTEGER)],
  ["max_completion_tokens", intIn(1, Number.MAX_SAFE_INTEGER)],
  ["temperature", numberIn(0, 2)],
  ["top_p", numberIn(0, 1)],
  ["n", intIn(1, 128)],
  ["stop", isStop],
  ["seed", intIn(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)],
  ["logprobs", nullableBoolean],
  ["top_logprobs", intIn(0, 20)],
  ["presence_penalty", numberIn(-2, 2)],
  ["frequency_penalty", numberIn(-2, 2)],
  ["parallel_tool_calls", (v) => typeof v === "boolean"],
  ["user", (v) => typeof v === "string"],
]);

/** Fields of the schema this check does not model: their presence sends the request to the schema. */
const SCHEMA_ONLY = new Set(["tools", "tool_choice", "response_format"]);

/** A text-only message of any role, with the fields the schema checks for that role. */
function isTextMessage(m: unknown): boolean {
  if (!isObject(m) || typeof m.content !== "string" || Object.hasOwn(m, "__proto__")) return false;
  switch (m.role) {
    case "system":
    case "developer":
    case "user":
      return optionalName(m.name);
    case "assistant":
      return optionalName(m.name) && m.tool_calls === undefined;
    case "tool":
      return nonEmptyString(m.tool_call_id);
    default:
      return false;
  }
}

export function fastChatRequest(json: unknown): ChatRequest | undefined {
  if (!isObject(json) || !nonEmptyString(json.model)) return undefined;
  const messages = json.messages;
  if (!Array.isArray(messages) || messages.length === 0 || !messages.every(isTextMessage)) return undefined;
  for (const key of Object.keys(json)) {
    if (key === "model" || key === "messages") continue;
    // `__proto__` as a JSON key is an own property here but would set the prototype of the schema's copy.
    if (SCHEMA_ONLY.has(key) || key === "__proto__") return undefined;
    const check = OPTIONS.get(key);
    if (check !== undefined && !check(json[key])) return undefined;
  }
  return json as ChatRequest;
}
