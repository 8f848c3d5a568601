import type {
  ChatChunk,
  ChatResponse,
  ChunkChoice,
  EmbeddingsResponse,
  FinishReason,
  ToolCall,
  Usage,
} from "../src/canonical/chat";
import { type SseFrame, sseFrame, sseJson } from "./sse";

/**
 * OpenAI Chat Completions wire builders shared by the local origin and the fake upstream: `chat.completion` JSON,
 * `chat.completion.chunk` SSE (role chunk, content or tool-call deltas, finish chunk, usage chunk with empty
 * `choices` when `stream_options.include_usage`, then `data: [DONE]`), embeddings, model lists and error bodies.
 */

export type OpenAiReply =
  | { kind: "text"; pieces: string[]; finish: "stop" | "length" }
  | { kind: "tool"; callId: string; name: string; arguments: string; argumentPieces: string[] };

export interface CompletionMeta {
  id: string;
  created: number;
  model: string;
}

export function usageOf(promptTokens: number, completionTokens: number): Usage {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
}

function finishOf(reply: OpenAiReply): FinishReason {
  return reply.kind === "tool" ? "tool_calls" : reply.finish;
}

/** One token's entry in OpenAI's `logprobs.content` (no alternatives: `top_logprobs` is empty). */
function tokenLogprob(token: string, logprob: number) {
  return { token, logprob, bytes: [...Buffer.from(token, "utf8")], top_logprobs: [] };
}

/**
 * `logprobs` for a text reply, as OpenAI sends it when the request has `logprobs: true`: one entry per token (here
 * one per piece). `logprobs` gives each piece's natural-log probability; absent = the request did not ask.
 */
function replyLogprobs(reply: OpenAiReply, logprobs: readonly number[] | undefined) {
  if (logprobs === undefined || reply.kind !== "text") return null;
  return { content: reply.pieces.map((p, i) => tokenLogprob(p, logprobs[i] ?? 0)), refusal: null };
}

export function chatCompletionJson(
  meta: CompletionMeta,
  reply: OpenAiReply,
  usage: Usage | undefined,
  logprobs?: readonly number[],
): ChatResponse {
  const message: ChatResponse["choices"][number]["message"] =
    reply.kind === "text"
      ? { role: "assistant", content: reply.pieces.join(""), refusal: null }
      : {
          role: "assistant",
          content: null,
          refusal: null,
          tool_calls: [
            { id: reply.callId, type: "function", function: { name: reply.name, arguments: reply.arguments } },
          ] satisfies ToolCall[],
        };
  const response: ChatResponse = {
    id: meta.id,
    object: "chat.completion",
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, message, logprobs: replyLogprobs(reply, logprobs), finish_reason: finishOf(reply) }],
    system_fingerprint: null,
  };
  if (usage !== undefined) response.usage = usage;
  return response;
}

function chunk(meta: CompletionMeta, choices: ChunkChoice[], usageField: boolean): ChatChunk {
  const c: ChatChunk = {
    id: meta.id,
    object: "chat.completion.chunk",
    created: meta.created,
    model: meta.model,
    system_fingerprint: null,
    choices,
  };
  // With include_usage, every chunk but the last carries `usage: null`, as the API documents.
  if (usageField) c.usage = null;
  return c;
}

function delta(meta: CompletionMeta, d: ChunkChoice["delta"], usageField: boolean, finish: FinishReason | null = null) {
  return chunk(meta, [{ index: 0, delta: d, logprobs: null, finish_reason: finish }], usageField);
}

export const OPENAI_DONE: SseFrame = sseFrame("[DONE]");

/**
 * The whole stream for one reply. `usage` present = the client asked for include_usage: a final usage chunk with
 * empty `choices` precedes `[DONE]`.
 */
export function chatCompletionFrames(
  meta: CompletionMeta,
  reply: OpenAiReply,
  usage: Usage | undefined,
  logprobs?: readonly number[],
): SseFrame[] {
  const withUsage = usage !== undefined;
  const frames: SseFrame[] = [sseJson(delta(meta, { role: "assistant", content: "", refusal: null }, withUsage))];
  if (reply.kind === "text") {
    reply.pieces.forEach((piece, i) => {
      const c = delta(meta, { content: piece }, withUsage);
      const choice = c.choices[0];
      if (logprobs !== undefined && choice !== undefined) {
        choice.logprobs = { content: [tokenLogprob(piece, logprobs[i] ?? 0)], refusal: null };
      }
      frames.push(sseJson(c, { content: true }));
    });
  } else {
    const head = {
      index: 0,
      id: reply.callId,
      type: "function" as const,
      function: { name: reply.name, arguments: "" },
    };
    frames.push(sseJson(delta(meta, { tool_calls: [head] }, withUsage)));
    for (const piece of reply.argumentPieces) {
      const d = { tool_calls: [{ index: 0, function: { arguments: piece } }] };
      frames.push(sseJson(delta(meta, d, withUsage), { content: true }));
    }
  }
  frames.push(sseJson(delta(meta, {}, withUsage, finishOf(reply))));
  if (usage !== undefined) {
    const last = chunk(meta, [], false);
    last.usage = usage;
    frames.push(sseJson(last));
  }
  frames.push(OPENAI_DONE);
  return frames;
}

const ERROR_TYPES: Record<number, { type: string; code: string | null }> = {
  400: { type: "invalid_request_error", code: null },
  401: { type: "invalid_request_error", code: "invalid_api_key" },
  403: { type: "invalid_request_error", code: "unsupported_country_region_territory" },
  404: { type: "invalid_request_error", code: "model_not_found" },
  413: { type: "invalid_request_error", code: "request_too_large" },
  429: { type: "rate_limit_exceeded", code: "rate_limit_exceeded" },
};

export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export function openAiErrorBody(status: number, message: string, code?: string): OpenAiErrorBody {
  const known = ERROR_TYPES[status] ?? (status >= 500 ? { type: "server_error", code: null } : undefined);
  const type = known?.type ?? "invalid_request_error";
  return { error: { message, type, param: null, code: code ?? known?.code ?? null } };
}

export function modelList(ids: readonly string[], ownedBy: string, created: number) {
  return {
    object: "list" as const,
    data: ids.map((id) => ({ id, object: "model" as const, created, owned_by: ownedBy })),
  };
}

/** Little-endian float32 bytes in base64: what the OpenAI SDK asks for by default and decodes itself. */
export function float32Base64(vector: readonly number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  for (const [i, v] of vector.entries()) bytes.writeFloatLE(v, i * 4);
  return bytes.toString("base64");
}

export function embeddingsJson(
  model: string,
  vectors: readonly number[][],
  format: "float" | "base64",
  promptTokens: number,
): EmbeddingsResponse {
  return {
    object: "list",
    data: vectors.map((v, index) => ({
      object: "embedding",
      index,
      embedding: format === "base64" ? float32Base64(v) : [...v],
    })),
    model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  };
}
