import type { Context } from "hono";
import type { AppEnv } from "../context";
import { GatewayError } from "../errors";
import { anthropicToCanonical } from "../formats/anthropic/client-request";
import { countTokensSchema } from "../formats/anthropic/count-tokens";
import { parseWith } from "../formats/anthropic/request-schema";
import { countPromptTokens } from "../gateway/count-tokens";
import { chatContext } from "../gateway/request-context";
import { decisionHeaders } from "../gateway/routing-headers";
import { jsonBody } from "../middleware/body";

/**
 * Anthropic `POST /v1/messages/count_tokens`: `{"input_tokens": N}` for the target that would serve the model. The
 * header `x-gateway-token-count` says whether N is the upstream's own count (`exact`) or the gateway's `estimate`.
 */
export async function countTokensHandler(c: Context<AppEnv>) {
  const parsed = parseWith(countTokensSchema, jsonBody(c.var.rawBody, c.req.header("content-type")));
  if (!parsed.ok) throw new GatewayError("invalid_request", parsed.message, { param: parsed.param });
  // The translation wants an output limit; counting needs none, so the placeholder is removed again.
  const { max_tokens: _, ...req } = anthropicToCanonical({ ...parsed.value, max_tokens: 1 });
  const count = await countPromptTokens(await chatContext(c), req);
  return c.json({ input_tokens: count.inputTokens }, 200, {
    "x-gateway-token-count": count.source,
    "x-gateway-model": count.alias,
    ...decisionHeaders(count.decision),
  });
}
