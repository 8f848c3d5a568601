import type { Context } from "hono";
import type { AppEnv } from "../context";
import { GatewayError } from "../errors";
import { parseChatRequest } from "../formats/openai/chat-request";
import { admissionHeaders, costHeaders } from "../gateway/billing/headers";
import { billedFrames, meteredEvents, StreamBill } from "../gateway/billing/meter";
import { runChat, settleJson } from "../gateway/chat";
import { chatContext } from "../gateway/request-context";
import { routeHeaders } from "../gateway/route-meta";
import { jsonBody } from "../middleware/body";
import { openAiSse } from "../streaming/openai-sse";
import { committedEvents, toByteStream } from "../streaming/pump";
import { SSE_HEADERS } from "../streaming/sse";
import { replayResponse } from "./replay";

export async function chatCompletionsHandler(c: Context<AppEnv>) {
  const parsed = parseChatRequest(jsonBody(c.var.rawBody, c.req.header("content-type")));
  if (!parsed.ok) throw new GatewayError("invalid_request", parsed.message, { param: parsed.param });
  const req = parsed.value;
  const outcome = await runChat(await chatContext(c), req);
  if (outcome.kind === "replay") return replayResponse(outcome.response, c.var.requestId);

  const headers = { ...routeHeaders(outcome.meta), ...admissionHeaders(outcome.admission) };
  if (outcome.kind === "json") {
    const body = JSON.stringify(outcome.response);
    const replayHeaders = { "content-type": "application/json", ...routeHeaders(outcome.meta) };
    settleJson(outcome, body, replayHeaders);
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
    openAiSse(events, { includeUsage: req.stream_options?.include_usage === true, requestId: c.var.requestId }),
    bill,
  );
  return new Response(
    toByteStream(frames, outcome.start.cancel, () => bill.abandon()),
    {
      headers: { ...SSE_HEADERS, ...headers, "x-gateway-credits-remaining": String(outcome.admission.balanceAfter) },
    },
  );
}
