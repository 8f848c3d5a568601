import type { Context } from "hono";
import type { AppEnv } from "../context";
import { GatewayError } from "../errors";
import { anthropicToCanonical } from "../formats/anthropic/client-request";
import { canonicalToAnthropicMessage } from "../formats/anthropic/client-response";
import { anthropicSse } from "../formats/anthropic/encode-sse";
import { parseAnthropicRequest } from "../formats/anthropic/request-schema";
import { runChat } from "../gateway/chat";
import { chatContext } from "../gateway/request-context";
import { jsonBody } from "../middleware/body";
import { recordPrompt } from "../observability/content";
import { estimatePromptTokens } from "../routing/token-estimate";
import { respondChat } from "./respond-chat";

/** Anthropic Messages ingress: translated to the canonical request, routed like any chat call, translated back. */
export async function messagesHandler(c: Context<AppEnv>) {
  const parsed = parseAnthropicRequest(jsonBody(c.get("rawBody"), c.req.header("content-type")));
  if (!parsed.ok) throw new GatewayError("invalid_request", parsed.message, { param: parsed.param });
  const req = anthropicToCanonical(parsed.value);
  const ctx = await chatContext(c);
  recordPrompt(ctx.span, ctx.principal.tenant.telemetry, req);
  const outcome = await runChat(ctx, req);
  const messageId = `msg_${c.get("requestId").slice(4)}`;
  return respondChat(c, outcome, {
    json: (response) => JSON.stringify(canonicalToAnthropicMessage(response, { messageId })),
    frames: (events, stream) =>
      anthropicSse(events, {
        model: stream.start.first.chunk.model || stream.meta.upstreamModel,
        messageId,
        inputTokens: estimatePromptTokens(req),
      }),
  });
}
