import type { ChatRequest } from "../canonical/chat";
import type { CacheConfig } from "../policy/types";

/**
 * Provider default when a request sends no temperature (OpenAI, Anthropic and most OpenAI-compatible servers use 1):
 * such a request samples at 1, so it is compared with `max_temperature` as 1.
 */
const DEFAULT_TEMPERATURE = 1;

/**
 * Why a request must neither be served from nor written to the cache, or undefined when it may use it.
 * - `no-store`: the request sent `Cache-Control: no-store`, or `x-gateway-cache: bypass` (our own switch);
 * - `temperature`: its temperature (default 1) is above the policy's max_temperature;
 * - `logprobs`: token log-probabilities cannot be replayed faithfully from a stored answer.
 */
export function bypassReason(req: ChatRequest, headers: Headers | undefined, cache: CacheConfig): string | undefined {
  if (headers !== undefined) {
    const control = headers.get("cache-control")?.toLowerCase() ?? "";
    if (control.split(",").some((d) => d.trim() === "no-store")) return "no-store";
    if (headers.get("x-gateway-cache")?.trim().toLowerCase() === "bypass") return "no-store";
  }
  if ((req.temperature ?? DEFAULT_TEMPERATURE) > cache.max_temperature) return "temperature";
  if (req.logprobs === true) return "logprobs";
  return undefined;
}
