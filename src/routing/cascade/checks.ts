import type { ChatRequest } from "../../canonical/chat";
import type { CheckName } from "./judge";

/**
 * The deterministic checks of a cheap answer, over the answer's final text (JSON or a buffered stream). Pure. The
 * JSON Schema check is passed in (`validate`), so this file stays free of the validator's room.
 */

export interface AnswerText {
  content: string;
  refusal?: string | null;
  toolCalls: number;
  finishReason: string | null;
}

/** Stock openings of a refusal, lower-cased; a short answer that starts with one counts as a refusal. */
const REFUSALS = [
  "i'm sorry, but i can't",
  "i am sorry, but i cannot",
  "i'm sorry, i can't",
  "i can't help with",
  "i cannot help with",
  "i can't assist with",
  "i cannot assist with",
  "sorry, i can't",
  "i'm unable to help",
  "i am unable to help",
];
const REFUSAL_MAX_CHARS = 300;

function looksLikeRefusal(text: string): boolean {
  const t = text.trim().toLowerCase().replaceAll("’", "'");
  return t.length <= REFUSAL_MAX_CHARS && REFUSALS.some((r) => t.startsWith(r));
}

/** `ok`, `invalid`, or `unchecked` (a schema using keywords the validator does not know is not judged). */
export type SchemaVerdict = "ok" | "invalid" | "unchecked";

export function failedChecks(
  answer: AnswerText,
  req: Pick<ChatRequest, "response_format">,
  validate: (schema: Record<string, unknown>, value: unknown) => SchemaVerdict,
): CheckName[] {
  const failed: CheckName[] = [];
  const text = answer.content;
  if (answer.toolCalls === 0 && text.trim() === "" && (answer.refusal ?? "") === "") failed.push("empty");
  if ((answer.refusal ?? "") !== "" || looksLikeRefusal(text)) failed.push("refusal");
  if (answer.finishReason === "length") failed.push("length");
  const format = req.response_format;
  if (answer.toolCalls === 0 && (format?.type === "json_object" || format?.type === "json_schema")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      failed.push("json");
      return failed;
    }
    const schema = format.type === "json_schema" ? format.json_schema?.schema : undefined;
    if (format.type === "json_object" && (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))) {
      failed.push("json");
    } else if (schema !== undefined && validate(schema, parsed) === "invalid") failed.push("json");
  }
  return failed;
}
