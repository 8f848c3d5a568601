import type { ChatMessage, ContentPart, ToolCall } from "../../canonical/chat";
import { GatewayError } from "../../errors";
import type { GeminiContent, GeminiPart } from "./types";

/**
 * Canonical messages → Gemini `systemInstruction` + `contents`.
 *
 * - system/developer messages, wherever they appear, become `systemInstruction` parts in order (Gemini has one system
 *   slot; a mid-conversation system message loses its position but not its text).
 * - user → role `user`; assistant → role `model`; tool results → `functionResponse` parts in a `user` turn.
 * - Consecutive turns of one role are merged, so parallel tool results land in one turn as Gemini expects.
 * - Images: `data:` URLs → `inlineData`. http(s) URLs → `fileData` (Gemini fetches public URLs itself) with the MIME
 *   type taken from the file extension; an URL whose extension names no image type Gemini reads is refused rather
 *   than sent with a guessed type. `detail` has no per-part equivalent and is ignored (it tunes cost, not meaning).
 * - A message `name` has no Gemini equivalent and is ignored.
 * Anything else that cannot be expressed throws a GatewayError naming the field, so `unsupportedParams` can steer the
 * planner to another target instead of the request silently losing content.
 */

/** Google documents this value for histories whose thought signatures are unknown (e.g. written by another model). */
export const SKIP_SIGNATURE = "skip_thought_signature_validator";

export interface TranslatedMessages {
  systemInstruction?: { parts: { text: string }[] };
  contents: GeminiContent[];
}

export interface MessageOptions {
  /** Gemini 3+ rejects a function call turn without a thought signature; stand in the documented dummy when unknown. */
  requireSignatures: boolean;
}

const IMAGE_MIME_BY_EXT: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  webp: "image/webp",
  heic: "image/heic",
  heif: "image/heif",
};

const AUDIO_MIME: Record<string, string> = { wav: "audio/wav", mp3: "audio/mp3" };

function unsupported(param: string, what: string): GatewayError {
  return new GatewayError("unsupported_parameter", `${what} cannot be sent to a Gemini upstream`, { param });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function parseDataUrl(url: string): { mimeType: string; data: string } | undefined {
  const comma = url.indexOf(",");
  if (!url.startsWith("data:") || comma === -1) return undefined;
  const header = url.slice(5, comma);
  if (!header.endsWith(";base64")) return undefined;
  const mimeType = header.split(";")[0] ?? "";
  if (mimeType === "") return undefined;
  return { mimeType, data: url.slice(comma + 1) };
}

function imagePart(url: string, param: string): GeminiPart {
  if (url.startsWith("data:")) {
    const inline = parseDataUrl(url);
    if (inline === undefined) throw unsupported(param, "a non-base64 data: URL");
    return { inlineData: inline };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new GatewayError("invalid_request", "image_url.url is not a valid URL", { param });
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") throw unsupported(param, "this image URL scheme");
  const ext = /\.([a-z0-9]+)$/i.exec(parsed.pathname)?.[1]?.toLowerCase() ?? "";
  const mimeType = IMAGE_MIME_BY_EXT[ext];
  if (mimeType === undefined) throw unsupported(param, "an image URL without a known image file extension");
  return { fileData: { fileUri: url, mimeType } };
}

function contentPart(part: ContentPart, param: string): GeminiPart {
  if (part.type === "text" && typeof part.text === "string") return { text: part.text };
  if (part.type === "image_url" && isObject(part.image_url) && typeof part.image_url.url === "string") {
    return imagePart(part.image_url.url, `${param}.image_url.url`);
  }
  if (part.type === "input_audio" && isObject(part.input_audio)) {
    const { data, format } = part.input_audio;
    const mimeType = typeof format === "string" ? AUDIO_MIME[format] : undefined;
    if (typeof data !== "string" || mimeType === undefined)
      throw unsupported(`${param}.input_audio`, "this audio part");
    return { inlineData: { mimeType, data } };
  }
  if (part.type === "file" && isObject(part.file) && typeof part.file.file_data === "string") {
    const inline = parseDataUrl(part.file.file_data);
    if (inline === undefined) throw unsupported(`${param}.file.file_data`, "a file that is not a base64 data: URL");
    return { inlineData: inline };
  }
  throw unsupported(`${param}.type`, `a "${part.type}" content part`);
}

function userParts(content: ChatMessage["content"], param: string): GeminiPart[] {
  if (content === undefined || content === null) return [];
  if (typeof content === "string") return content === "" ? [] : [{ text: content }];
  return content.map((p, j) => contentPart(p, `${param}.${j}`)).filter((p) => p.text !== "");
}

/** Text of a message that may only hold text (system, assistant, tool). */
function textOf(content: ChatMessage["content"], param: string): string {
  if (content === undefined || content === null) return "";
  if (typeof content === "string") return content;
  return content
    .map((p, j) => {
      if (p.type === "text" && typeof p.text === "string") return p.text;
      if (p.type === "refusal" && typeof p.refusal === "string") return p.refusal;
      throw unsupported(`${param}.${j}.type`, `a "${p.type}" part in this message`);
    })
    .join("");
}

function parseArgs(raw: string, param: string): Record<string, unknown> {
  if (raw.trim() === "") return {};
  let args: unknown;
  try {
    args = JSON.parse(raw);
  } catch {
    throw new GatewayError("invalid_request", "tool call arguments are not valid JSON", { param });
  }
  if (!isObject(args)) throw unsupported(param, "tool call arguments that are not a JSON object");
  return args;
}

/** Gemini's `response` must be a JSON object: non-object results are wrapped rather than reinterpreted. */
function toolResult(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    if (isObject(parsed)) return parsed;
  } catch {
    // not JSON: sent as text below
  }
  return { content: text };
}

/** The signature Gemini gave this call, as returned to clients in `extra_content` (Google's OpenAI-compatible shape). */
export function signatureOf(call: ToolCall): string | undefined {
  const extra = (call as ToolCall & { extra_content?: unknown }).extra_content;
  const google = isObject(extra) ? extra.google : undefined;
  const sig = isObject(google) ? google.thought_signature : undefined;
  return typeof sig === "string" && sig !== "" ? sig : undefined;
}

function assistantParts(msg: ChatMessage, i: number, names: Map<string, string>, opts: MessageOptions): GeminiPart[] {
  if (msg.function_call != null) throw unsupported(`messages.${i}.function_call`, "a legacy function_call");
  const parts: GeminiPart[] = [];
  const text = textOf(msg.content, `messages.${i}.content`);
  if (text !== "") parts.push({ text });
  (msg.tool_calls ?? []).forEach((call, j) => {
    const param = `messages.${i}.tool_calls.${j}`;
    if (call.type !== "function") throw unsupported(`${param}.type`, `a "${String(call.type)}" tool call`);
    names.set(call.id, call.function.name);
    const part: GeminiPart = {
      functionCall: {
        name: call.function.name,
        args: parseArgs(call.function.arguments, `${param}.function.arguments`),
      },
    };
    const signature = signatureOf(call) ?? (j === 0 && opts.requireSignatures ? SKIP_SIGNATURE : undefined);
    if (signature !== undefined) part.thoughtSignature = signature;
    parts.push(part);
  });
  return parts;
}

export function translateMessages(messages: ChatMessage[], opts: MessageOptions): TranslatedMessages {
  const system: { text: string }[] = [];
  const contents: GeminiContent[] = [];
  // Tool call id → function name, as of the latest assistant turn that used the id (ids may repeat across turns).
  const names = new Map<string, string>();

  const push = (role: GeminiContent["role"], parts: GeminiPart[]) => {
    if (parts.length === 0) return;
    const last = contents.at(-1);
    if (last?.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };

  for (const [i, msg] of messages.entries()) {
    switch (msg.role) {
      case "system":
      case "developer": {
        const text = textOf(msg.content, `messages.${i}.content`);
        if (text !== "") system.push({ text });
        break;
      }
      case "user":
        push("user", userParts(msg.content, `messages.${i}.content`));
        break;
      case "assistant":
        push("model", assistantParts(msg, i, names, opts));
        break;
      case "tool": {
        const name = msg.tool_call_id === undefined ? undefined : names.get(msg.tool_call_id);
        if (name === undefined) {
          throw new GatewayError("invalid_request", "tool message does not answer an earlier tool call", {
            param: `messages.${i}.tool_call_id`,
          });
        }
        const response = toolResult(textOf(msg.content, `messages.${i}.content`));
        push("user", [{ functionResponse: { name, response } }]);
        break;
      }
      default:
        throw unsupported(`messages.${i}.role`, `the "${String(msg.role)}" role`);
    }
  }

  const out: TranslatedMessages = { contents };
  if (system.length > 0) out.systemInstruction = { parts: system };
  return out;
}
