import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { compilePolicy } from "../../src/policy/compile";
import type { ModelPricing } from "../../src/policy/types";
import { estimateTextTokens } from "../../src/routing/text-tokens";
import { TOKENS_PER_MESSAGE, TOKENS_PER_REQUEST } from "../../src/routing/token-estimate";
import { artifactFiles } from "../policy-sources";

/**
 * What each call would cost at a policy's prices, in micro-credits: prompt tokens by the gateway's own estimate
 * (one user message), output tokens from the model's recorded answer where the data has one (GSM8K), otherwise a
 * stated assumption (MMLU answers are one letter: `MMLU_OUTPUT_TOKENS`).
 */
export const MMLU_OUTPUT_TOKENS = 2;

export const promptTokens = (prompt: string) => estimateTextTokens(prompt) + TOKENS_PER_MESSAGE + TOKENS_PER_REQUEST;

export const textTokens = (text: string) => estimateTextTokens(text);

export function callCost(price: ModelPricing, input: number, output: number): number {
  return Math.ceil((input * price.input_per_mtok + output * price.output_per_mtok) / 1_000_000);
}

export interface Prices {
  cheap: ModelPricing;
  premium: ModelPricing;
  policyVersion: string;
}

export function policyPrices(dir: string, cheap: string, premium: string): Prices {
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => ({ name: join(dir, f), text: readFileSync(join(dir, f), "utf8") }));
  // The hash only labels the report; the artifacts are read because routes name them.
  const compiled = compilePolicy(files, (t) => String(t.length), artifactFiles(dir));
  if (!compiled.ok) throw new Error(`policy in ${dir} does not compile: ${compiled.errors[0]?.message ?? ""}`);
  const price = (alias: string): ModelPricing => {
    const p = compiled.policy.models[alias]?.pricing;
    if (p === undefined || p === null) throw new Error(`model "${alias}" has no price in ${dir}`);
    return p;
  };
  return { cheap: price(cheap), premium: price(premium), policyVersion: compiled.policy.version };
}
