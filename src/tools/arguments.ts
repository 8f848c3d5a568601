import type { ToolConfig } from "../policy/types";
import { duplicateKeyPath } from "./duplicate-keys";
import { validateJson } from "./json-schema";

/**
 * A tool call's arguments as the model or client gave them — a JSON object, or the JSON text of one (what chat
 * models produce) — checked before anything runs: size (UTF-8 bytes of the text), JSON syntax, object shape, then
 * the tool's schema. `text` is what gets hashed for the audit trail.
 */
export type ArgumentsResult =
  | { ok: true; args: Record<string, unknown>; text: string }
  | { ok: false; message: string; param: string; misconfigured?: true };

const encoder = new TextEncoder();

/** The argument text to hash and measure; undefined when the value cannot be serialised as JSON. */
export function argumentText(input: unknown): string | undefined {
  if (typeof input === "string") return input;
  try {
    return JSON.stringify(input) ?? undefined;
  } catch {
    return undefined;
  }
}

export function checkArguments(input: unknown, tool: ToolConfig): ArgumentsResult {
  const text = argumentText(input);
  if (text === undefined) return { ok: false, message: "Arguments must be a JSON object.", param: "arguments" };
  const bytes = encoder.encode(text).length;
  if (bytes > tool.max_argument_bytes) {
    return {
      ok: false,
      message: `Arguments are ${bytes} bytes; tool ${tool.name} accepts at most ${tool.max_argument_bytes}.`,
      param: "arguments",
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, message: "Arguments are not valid JSON.", param: "arguments" };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { ok: false, message: "Arguments must be a JSON object.", param: "arguments" };
  }
  const repeated = typeof input === "string" ? duplicateKeyPath(text) : undefined;
  if (repeated !== undefined) {
    return { ok: false, message: `arguments.${repeated} is given more than once.`, param: `arguments.${repeated}` };
  }
  const verdict = validateJson(tool.parameters, parsed);
  if (!verdict.ok) {
    const param = verdict.path === "" ? "arguments" : `arguments.${verdict.path}`;
    if (verdict.kind === "unsupported") {
      return {
        ok: false,
        message: `Tool ${tool.name} has an invalid schema (${verdict.message}).`,
        param,
        misconfigured: true,
      };
    }
    return { ok: false, message: `${param} ${verdict.message}.`, param };
  }
  return { ok: true, args: parsed as Record<string, unknown>, text };
}
