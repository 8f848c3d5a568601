import type { ModelPricing } from "../policy/types";
import type { Micros } from "./types";

/**
 * Pure pricing arithmetic in integer micro-credits. Products such as `tokens * pricePerMtok` can pass 2^53 long
 * before the result does, so the arithmetic runs on BigInt and only the (range-checked) result becomes a number.
 * Rounding is always in the gateway's favour for what it charges (ceil) and against the caller for what it grants
 * (floor), which keeps `reserved >= cost` whenever usage stays within the reservation.
 */

const MTOK = 1_000_000n;

function toBig(value: number, what: string): bigint {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} must be a non-negative safe integer`);
  return BigInt(value);
}

function toSafe(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`${what} exceeds the safe integer range`);
  return Number(value);
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

/** Micro-credits for `tokens` at `pricePerMtok` micro-credits per million tokens, rounded up. */
export function tokenCost(tokens: number, pricePerMtok: number): Micros {
  return toSafe(ceilDiv(toBig(tokens, "tokens") * toBig(pricePerMtok, "price"), MTOK), "cost");
}

/** Micro-credits for `tokens` output tokens, rounded up (`ceil(tokens * price / 1e6)`). */
export function outputCost(tokens: number, outputPricePerMtok: number): Micros {
  return tokenCost(tokens, outputPricePerMtok);
}

/**
 * How many output tokens `budget` micro-credits buy: `floor(budget * 1e6 / price)`. A price of 0 buys without limit
 * (`Number.POSITIVE_INFINITY`); a result beyond 2^53 - 1 is reported as MAX_SAFE_INTEGER, which no request reaches.
 */
export function affordableTokens(budget: Micros, outputPricePerMtok: number): number {
  const price = toBig(outputPricePerMtok, "price");
  if (price === 0n) return Number.POSITIVE_INFINITY;
  const tokens = (toBig(budget, "budget") * MTOK) / price;
  return tokens > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(tokens);
}

/** The cost of real usage: input and output each rounded up, as the reservation was. */
export function costOf(usage: { inputTokens: number; outputTokens: number }, pricing: ModelPricing): Micros {
  const input = tokenCost(usage.inputTokens, pricing.input_per_mtok);
  const output = tokenCost(usage.outputTokens, pricing.output_per_mtok);
  return toSafe(BigInt(input) + BigInt(output), "cost");
}
