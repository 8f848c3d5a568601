import type { Context } from "hono";
import type { AppEnv } from "../context";
import { GatewayError } from "../errors";
import { canonicalToAnthropicMessage } from "../formats/anthropic/from-canonical";
import { parseAnthropicRequest } from "../formats/anthropic/request-schema";
import { anthropicToCanonical } from "../formats/anthropic/to-canonical";
import { runChat } from "../gateway/chat";
import { routeHeaders } from "../gateway/route-meta";
import { jsonBody } from "../middleware/body";
import { estimatePromptTokens } from "../routing/token-estimate";
import { anthropicSse } from "../streaming/anthropic-sse";
import { committedEvents, toByteStream } from "../streaming/pump";
import { SSE_HEADERS } from "../streaming/sse";

/** Anthropic Messages ingress: translated to the canonical request, routed like any chat call, translated back. */
export async function messagesHandler(c: Context<AppEnv>) {
  const parsed = parseAnthropicRequest(jsonBody(c.var.rawBody, c.req.header("content-type")));
  if (!parsed.ok) throw new GatewayError("invalid_request", parsed.message, { param: parsed.param });
  const req = anthropicToCanonical(parsed.value);
  const taskType = c.req.header("x-gateway-task-type");
  const outcome = await runChat(
    {
      services: c.var.services,
      principal: c.var.principal,
      signal: c.req.raw.signal,
      ...(taskType ? { taskType } : {}),
    },
    req,
  );
  const headers = routeHeaders(outcome.meta);
  const messageId = `msg_${c.var.requestId.slice(4)}`;
  if (outcome.kind === "json") {
    return c.json(canonicalToAnthropicMessage(outcome.response, { messageId }), 200, headers);
  }
  const frames = anthropicSse(committedEvents(outcome.start, outcome.idleTimeoutMs), {
    model: outcome.start.first.chunk.model || outcome.meta.upstreamModel,
    messageId,
    inputTokens: estimatePromptTokens(req),
  });
  return new Response(toByteStream(frames, outcome.start.cancel), { headers: { ...SSE_HEADERS, ...headers } });
}
