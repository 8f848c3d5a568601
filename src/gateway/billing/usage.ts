import type { Usage } from "../../canonical/chat";
import { tokensOf } from "../../routing/text-tokens";

export interface CheckedUsage {
  inputTokens: number;
  outputTokens: number;
  /** Prompt tokens read from the provider's prompt cache (part of inputTokens); 0 when none were reported. */
  cachedTokens: number;
  /** Prompt tokens written to the provider's prompt cache (part of inputTokens); 0 when none were reported. */
  cacheWriteTokens: number;
}

export type TrustedUsage =
  | ({ ok: true } & CheckedUsage)
  | { ok: false; reason: "missing" | "invalid" | "inconsistent" };

/** `-0` is no count: JSON allows it, no honest tokenizer emits it, and it slips through `>= 0`. */
const isCount = (v: unknown): v is number =>
  typeof v === "number" && Number.isSafeInteger(v) && v >= 0 && !Object.is(v, -0);

/**
 * Upstream token counts are untrusted input: they decide what a tenant pays. Negative (`-0` included), fractional,
 * NaN, enormous or self-contradictory numbers are refused — cached or cache-write tokens above the prompt included —
 * and the caller bills the reservation instead (flagged), so a broken or hostile upstream can never credit money
 * back to a balance.
 *
 * The prompt-cache parts live in `prompt_tokens_details` (OpenAI's `cached_tokens`; `cache_write_tokens` is the
 * gateway's name for Anthropic's `cache_creation_input_tokens`, set by the format translations).
 */
export function checkUsage(
  usage: Usage | null | undefined,
  limits: { maxOutputTokens: number; contextWindow: number },
): TrustedUsage {
  if (usage === null || usage === undefined) return { ok: false, reason: "missing" };
  const { prompt_tokens: input, completion_tokens: output, total_tokens: total } = usage;
  if (!isCount(input) || !isCount(output)) return { ok: false, reason: "invalid" };
  if (total !== undefined && total !== null && (!isCount(total) || total < input + output)) {
    return { ok: false, reason: "inconsistent" };
  }
  const cache = cacheParts(usage.prompt_tokens_details);
  if (cache === "invalid") return { ok: false, reason: "invalid" };
  if (cache.cachedTokens + cache.cacheWriteTokens > input) return { ok: false, reason: "inconsistent" };
  // Reasoning models may count hidden tokens in completion_tokens; a small slack keeps honest upstreams trusted.
  if (output > limits.maxOutputTokens + 16 || input > limits.contextWindow)
    return { ok: false, reason: "inconsistent" };
  return { ok: true, inputTokens: input, outputTokens: output, ...cache };
}

function cacheParts(details: unknown): { cachedTokens: number; cacheWriteTokens: number } | "invalid" {
  if (details === undefined || details === null) return { cachedTokens: 0, cacheWriteTokens: 0 };
  if (typeof details !== "object" || Array.isArray(details)) return "invalid";
  const { cached_tokens: read, cache_write_tokens: write } = details as Record<string, unknown>;
  if (
    (read !== undefined && read !== null && !isCount(read)) ||
    (write !== undefined && write !== null && !isCount(write))
  )
    return "invalid";
  return { cachedTokens: typeof read === "number" ? read : 0, cacheWriteTokens: typeof write === "number" ? write : 0 };
}

/**
 * The most characters one token can plausibly stand for. Real tokenizers average 2–5 characters a token on prose
 * and code (fewer on CJK); only pathological runs (long whitespace or repeated symbols) merge more. Reported counts
 * below `characters / 32` therefore cannot be true of what was delivered (or sent).
 */
export const MAX_CHARS_PER_TOKEN = 32;

/** The fewest tokens `chars` characters of text can be: 0 for no text, at least 1 for any. */
export function tokenFloor(chars: number): number {
  return chars <= 0 ? 0 : Math.max(1, Math.floor(chars / MAX_CHARS_PER_TOKEN));
}

/**
 * Which reported counts are below what was sent and delivered (each `floor` from `tokenFloor`): an upstream that
 * reports 0 output tokens for a delivered answer, or 0 prompt tokens for a prompt with text, is not believed.
 */
export function implausibleParts(
  usage: { inputTokens: number; outputTokens: number },
  floors: { prompt: number; output: number },
): { input: boolean; output: boolean } {
  return { input: usage.inputTokens < floors.prompt, output: usage.outputTokens < floors.output };
}

/** What reached the client: characters (for the plausibility floor) and their script-aware token weight. */
export interface Delivered {
  chars: number;
  /** `textTokenWeight` (thousandths of a token) of the delivered text, summed unrounded. */
  weight: number;
}

/** Output tokens estimated from delivered text when an upstream reports none (the script-aware estimate). */
export function estimateOutputTokens(delivered: Delivered): number {
  return tokensOf(delivered.weight);
}
