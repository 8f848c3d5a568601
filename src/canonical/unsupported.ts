import type { ChatRequest } from "./chat";

/** A request field an upstream format cannot carry; values in `inert` mean "the default" and are dropped, not refused. */
export interface UnsupportedField {
  param: string;
  inert: readonly unknown[];
}

/**
 * Fields of OpenAI's chat request with no equivalent in Anthropic's Messages or Bedrock's Converse. `seed` is here
 * because honouring it would promise a determinism those upstreams do not give.
 */
export const NON_OPENAI_UNSUPPORTED: readonly UnsupportedField[] = [
  { param: "n", inert: [1] },
  { param: "logprobs", inert: [false] },
  { param: "top_logprobs", inert: [0] },
  { param: "seed", inert: [] },
  { param: "presence_penalty", inert: [0] },
  { param: "frequency_penalty", inert: [0] },
  { param: "logit_bias", inert: [] },
  { param: "audio", inert: [] },
  { param: "prediction", inert: [] },
  { param: "web_search_options", inert: [] },
  { param: "functions", inert: [] },
  { param: "function_call", inert: [] },
];

/** The fields of `req` set to a value `table` cannot carry, plus `modalities` asking for more than text. */
export function unsupportedFields(req: ChatRequest, table: readonly UnsupportedField[]): string[] {
  const found: string[] = [];
  for (const { param, inert } of table) {
    const value = req[param];
    if (value !== undefined && value !== null && !inert.includes(value)) found.push(param);
  }
  if (Array.isArray(req.modalities) && req.modalities.some((m) => m !== "text")) found.push("modalities");
  return found;
}
