import type { AdmitRequest, Micros } from "../types";

const MICROS_PER_MTOK = 1_000_000n;

export type Grant =
  | { ok: true; outputTokens: number; reserved: Micros; clamped: boolean }
  | { ok: false; outputTokens: number; needed: Micros };

/** ceil(tokens * price / 1e6), in BigInt: balances of a few thousand credits times 1e6 already pass 2^53. */
export function outputCost(tokens: number, pricePerMtok: number): Micros {
  const product = BigInt(tokens) * BigInt(pricePerMtok);
  return Number((product + MICROS_PER_MTOK - 1n) / MICROS_PER_MTOK);
}

/**
 * How many output tokens the balance affords after the prompt, and what to reserve for them. `outputTokens` is also
 * returned on refusal, because tokens-per-minute limits (checked before credits) count the granted tokens.
 */
export function grantFor(balance: Micros, req: AdmitRequest): Grant {
  const price = req.outputPricePerMtok;
  const left = balance - req.promptCost;
  let affordable = req.maxOutputTokens;
  if (price > 0) {
    const byBalance = left <= 0 ? 0n : (BigInt(left) * MICROS_PER_MTOK) / BigInt(price);
    if (byBalance < BigInt(affordable)) affordable = Number(byBalance);
  }
  const outputTokens = Math.max(0, Math.min(req.maxOutputTokens, affordable));
  if (left < 0 || outputTokens < req.minOutputTokens) {
    return { ok: false, outputTokens, needed: req.promptCost + outputCost(req.minOutputTokens, price) };
  }
  return {
    ok: true,
    outputTokens,
    reserved: req.promptCost + outputCost(outputTokens, price),
    clamped: outputTokens < req.maxOutputTokens,
  };
}
