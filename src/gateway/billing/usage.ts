import type { Usage } from "../../canonical/chat";

export type TrustedUsage =
  | { ok: true; inputTokens: number; outputTokens: number }
  | { ok: false; reason: "missing" | "invalid" | "inconsistent" };

const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/**
 * Upstream token counts are untrusted input: they decide what a tenant pays. Negative, fractional, NaN, enormous
 * or self-contradictory numbers are refused, and the caller bills the reservation instead (flagged), so a broken
 * or hostile upstream can never credit money back to a balance.
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
  // Reasoning models may count hidden tokens in completion_tokens; a small slack keeps honest upstreams trusted.
  if (output > limits.maxOutputTokens + 16 || input > limits.contextWindow)
    return { ok: false, reason: "inconsistent" };
  return { ok: true, inputTokens: input, outputTokens: output };
}

/** Output tokens estimated from delivered text when an upstream reports none (≈ 4 characters a token). */
export function estimateOutputTokens(chars: number): number {
  return Math.ceil(chars / 4);
}
