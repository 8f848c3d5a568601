import type { FinishReason, ToolCall, Usage } from "../../canonical/chat";
import { UpstreamProtocolError } from "../../errors/upstream-protocol-error";
import { type GeminiLogprobs, GeminiResponse, type GeminiUsage } from "./response-schema";

/** Pieces shared by the JSON and the streaming translation, so both produce the same ids, reasons and counts. */

/** Validates one Gemini answer (or stream event); Google's `error` object becomes an UpstreamProtocolError. */
export function parseGeminiResponse(body: unknown): GeminiResponse {
  const parsed = GeminiResponse.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? "" : ` at ${issue.path.join(".") || "(root)"}: ${issue.message}`;
    throw new UpstreamProtocolError(`Gemini response has an unexpected shape${where}`);
  }
  const { error } = parsed.data;
  // Google's message text is kept out: it may quote the request, and this message can reach logs and clients.
  if (error !== undefined) {
    throw new UpstreamProtocolError(
      `Gemini returned an error (${error.code ?? "no code"} ${error.status ?? ""})`.trim(),
    );
  }
  return parsed.data;
}

const FILTERED = new Set(["SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY"]);

export function toFinishReason(reason: string | undefined, hasToolCalls: boolean): FinishReason {
  if (reason === "MAX_TOKENS") return "length";
  if (reason !== undefined && FILTERED.has(reason)) return "content_filter";
  // Gemini says STOP after a function call; OpenAI clients loop on `tool_calls`.
  return hasToolCalls ? "tool_calls" : "stop";
}

/**
 * Gemini bills thinking tokens as output but reports them apart from `candidatesTokenCount`, and tool-use prompt
 * tokens apart from `promptTokenCount`; both are folded in so prompt + completion = Gemini's own total.
 */
export function toUsage(u: GeminiUsage): Usage {
  const prompt = (u.promptTokenCount ?? 0) + (u.toolUsePromptTokenCount ?? 0);
  const completion = (u.candidatesTokenCount ?? 0) + (u.thoughtsTokenCount ?? 0);
  const usage: Usage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: u.totalTokenCount ?? prompt + completion,
  };
  if (u.cachedContentTokenCount !== undefined)
    usage.prompt_tokens_details = { cached_tokens: u.cachedContentTokenCount };
  if (u.thoughtsTokenCount !== undefined) usage.completion_tokens_details = { reasoning_tokens: u.thoughtsTokenCount };
  return usage;
}

/** A tool call as OpenAI clients see it, plus Google's `extra_content` carrier for the thought signature. */
export type GeminiToolCall = ToolCall & { extra_content?: { google: { thought_signature: string } } };

/**
 * Ids are `call_<n>` by position within the candidate: Gemini assigns none, and deterministic ids keep a cached replay
 * identical to the original. The signature rides in `extra_content.google.thought_signature`, the field Google's own
 * OpenAI-compatible endpoint uses, so clients that echo the assistant message back keep Gemini 3 tool loops working.
 */
export function toToolCall(
  call: { name: string; args?: Record<string, unknown> | undefined },
  signature: string | undefined,
  index: number,
): GeminiToolCall {
  const out: GeminiToolCall = {
    id: `call_${index}`,
    type: "function",
    function: { name: call.name, arguments: JSON.stringify(call.args ?? {}) },
  };
  if (signature !== undefined && signature !== "") out.extra_content = { google: { thought_signature: signature } };
  return out;
}

interface TokenLogprob {
  token: string;
  logprob: number;
  bytes: number[];
}

const encoder = new TextEncoder();

function tokenLogprob(c: { token?: string | undefined; logProbability?: number | undefined }): TokenLogprob {
  const token = c.token ?? "";
  return { token, logprob: c.logProbability ?? 0, bytes: [...encoder.encode(token)] };
}

/** Gemini's per-step chosen/top candidates → OpenAI's `logprobs.content`. */
export function toLogprobs(result: GeminiLogprobs | undefined): { content: unknown[]; refusal: null } | undefined {
  const chosen = result?.chosenCandidates;
  if (chosen === undefined) return undefined;
  const content = chosen.map((c, i) => ({
    ...tokenLogprob(c),
    top_logprobs: (result?.topCandidates?.[i]?.candidates ?? []).map(tokenLogprob),
  }));
  return { content, refusal: null };
}

export function completionId(responseId: string | undefined): string {
  return `chatcmpl-${responseId ?? crypto.randomUUID()}`;
}
