import type { Context } from "hono";
import type { AppEnv } from "../context";
import { GatewayError } from "../errors";
import { canonicalToAnthropicMessage } from "../formats/anthropic/from-canonical";
import { parseAnthropicRequest } from "../formats/anthropic/request-schema";
import { anthropicToCanonical } from "../formats/anthropic/to-canonical";
import { admissionHeaders, costHeaders } from "../gateway/billing/headers";
import { billedFrames, meteredEvents, StreamBill } from "../gateway/billing/meter";
import { runChat, settleJson } from "../gateway/chat";
import { chatContext } from "../gateway/request-context";
import { routeHeaders } from "../gateway/route-meta";
import { jsonBody } from "../middleware/body";
import { estimatePromptTokens } from "../routing/token-estimate";
import { anthropicSse } from "../streaming/anthropic-sse";
import { committedEvents, toByteStream } from "../streaming/pump";
import { SSE_HEADERS } from "../streaming/sse";
import { replayResponse } from "./replay";

/** Anthropic Messages ingress: translated to the canonical request, routed like any chat call, translated back. */
export async function messagesHandler(c: Context<AppEnv>) {
  const parsed = parseAnthropicRequest(jsonBody(c.var.rawBody, c.req.header("content-type")));
  if (!parsed.ok) throw new GatewayError("invalid_request", parsed.message, { param: parsed.param });
  const req = anthropicToCanonical(parsed.value);
  const outcome = await runChat(await chatContext(c), req);
  if (outcome.kind === "replay") return replayResponse(outcome.response, c.var.requestId);

  const headers = { ...routeHeaders(outcome.meta), ...admissionHeaders(outcome.admission) };
  const messageId = `msg_${c.var.requestId.slice(4)}`;
  if (outcome.kind === "json") {
    const body = JSON.stringify(canonicalToAnthropicMessage(outcome.response, { messageId }));
    settleJson(outcome, body, { "content-type": "application/json", ...routeHeaders(outcome.meta) });
    return new Response(body, {
      headers: { "content-type": "application/json", ...headers, ...costHeaders(outcome.admission, outcome.bill.cost) },
    });
  }
  const bill = new StreamBill(outcome.settlement, outcome.model, outcome.admission.input.idempotencyKey !== undefined);
  c.executionCtx.waitUntil(bill.settled);
  const events = meteredEvents(
    committedEvents(outcome.start, outcome.idleTimeoutMs),
    bill,
    outcome.admission.outputTokens,
  );
  const frames = billedFrames(
    anthropicSse(events, {
      model: outcome.start.first.chunk.model || outcome.meta.upstreamModel,
      messageId,
      inputTokens: estimatePromptTokens(req),
    }),
    bill,
  );
  return new Response(
    toByteStream(frames, outcome.start.cancel, () => bill.abandon()),
    {
      headers: { ...SSE_HEADERS, ...headers, "x-gateway-credits-remaining": String(outcome.admission.balanceAfter) },
    },
  );
}
