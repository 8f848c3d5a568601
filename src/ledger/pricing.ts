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

/** What a call used: `inputTokens` counts every prompt token, those read from or written to a prompt cache included. */
export interface PricedUsage {
  inputTokens: number;
  outputTokens: number;
  /** Prompt tokens read from the provider's prompt cache (a part of `inputTokens`). */
  cachedTokens?: number;
  /** Prompt tokens written to the provider's prompt cache (a part of `inputTokens`). */
  cacheWriteTokens?: number;
}

/**
 * The cost of real usage. Prompt tokens are priced by tier (plain, cache read, cache write; a missing tier price is
 * the input price) and rounded up once for the whole prompt, output rounded up on its own, as the reservation was:
 * so a hold priced at the highest input tier always covers the prompt side. Cached parts above the prompt are a
 * caller bug (checkUsage refuses such usage before pricing): RangeError.
 */
export function costOf(usage: PricedUsage, pricing: ModelPricing): Micros {
  const cached = toBig(usage.cachedTokens ?? 0, "cached tokens");
  const written = toBig(usage.cacheWriteTokens ?? 0, "cache write tokens");
  const input = toBig(usage.inputTokens, "tokens");
  if (cached + written > input) throw new RangeError("cached and cache-write tokens exceed the prompt tokens");
  const inPrice = toBig(pricing.input_per_mtok, "price");
  const readPrice = toBig(pricing.cached_input_per_mtok ?? pricing.input_per_mtok, "price");
  const writePrice = toBig(pricing.cache_write_per_mtok ?? pricing.input_per_mtok, "price");
  const prompt = ceilDiv((input - cached - written) * inPrice + cached * readPrice + written * writePrice, MTOK);
  const output = tokenCost(usage.outputTokens, pricing.output_per_mtok);
  return toSafe(prompt + BigInt(output), "cost");
}

/** The highest price a prompt token can cost under `pricing`: what a worst-case hold charges per prompt token. */
export function maxInputPrice(pricing: ModelPricing): number {
  return Math.max(
    pricing.input_per_mtok,
    pricing.cached_input_per_mtok ?? pricing.input_per_mtok,
    pricing.cache_write_per_mtok ?? pricing.input_per_mtok,
  );
}
