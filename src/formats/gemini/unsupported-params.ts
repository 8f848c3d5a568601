import type { ChatRequest } from "../../canonical/chat";
import { GatewayError } from "../../errors";
import { fromOpenAIRequest } from "./upstream-request";

/** Request fields `fromOpenAIRequest` translates. */
const TRANSLATED = new Set([
  "model",
  "messages",
  "stream",
  "max_tokens",
  "max_completion_tokens",
  "temperature",
  "top_p",
  "n",
  "stop",
  "seed",
  "logprobs",
  "top_logprobs",
  "presence_penalty",
  "frequency_penalty",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "response_format",
]);

/** Fields that change billing, storage or tracing on OpenAI but never the generated output, so ignoring them is safe. */
const OUTPUT_NEUTRAL = new Set([
  "stream_options",
  "user",
  "metadata",
  "store",
  "service_tier",
  "safety_identifier",
  "prompt_cache_key",
  // Anthropic prompt-cache breakpoints: Gemini caches through its own cachedContents API, never per request.
  "cache_control",
]);

/**
 * Fields of `req` a Gemini upstream cannot honour. Unknown fields count: a field we do not translate may change the
 * output (`reasoning_effort`, `logit_bias`, `modalities`, ...), and dropping it silently would hand the client an
 * answer to a different question. Content that cannot be translated is reported by its path (e.g.
 * `messages.2.content.0.image_url.url`).
 */
export function geminiUnsupportedParams(req: ChatRequest): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(req)) {
    if (value === undefined || value === null) continue;
    if (!TRANSLATED.has(key) && !OUTPUT_NEUTRAL.has(key)) out.push(key);
  }
  // Gemini may always answer with several calls at once; it cannot be told not to.
  if (req.parallel_tool_calls === false) out.push("parallel_tool_calls");
  try {
    fromOpenAIRequest(req, { model: "" });
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    out.push(err.param ?? "messages");
  }
  return out;
}
