import type { Context } from "hono";
import type { ChatResponse, ChunkEvent } from "../canonical/chat";
import type { AppEnv } from "../context";
import { admissionHeaders, costHeaders } from "../gateway/billing/headers";
import { billedFrames, meteredEvents, StreamBill } from "../gateway/billing/meter";
import { respondCached } from "../gateway/cache-respond";
import { cascadeHeaders } from "../gateway/cascade-headers";
import { type ChatOutcome, settleJson } from "../gateway/chat";
import { routeHeaders } from "../gateway/route-meta";
import { recordAnswer, traceStream } from "../observability/content";
import { committedEvents, toByteStream } from "../streaming/pump";
import { SSE_HEADERS } from "../streaming/sse";
import { replayResponse } from "./replay";

/** How one ingress format writes a routed answer: the JSON body, and the SSE frames of a stream. */
export interface ChatEncoding {
  json(response: ChatResponse): string;
  frames(events: AsyncIterable<ChunkEvent>, outcome: Extract<ChatOutcome, { kind: "stream" }>): AsyncIterable<string>;
}

/**
 * Turns a routed chat outcome into the HTTP response, whatever the ingress format: replays, JSON (settled once the
 * body is final), or a metered stream (settled exactly once when it ends, for whatever reason).
 */
export function respondChat(
  c: Context<AppEnv>,
  outcome: ChatOutcome,
  encoding: ChatEncoding,
): Response | Promise<Response> {
  if (outcome.kind === "replay") return replayResponse(outcome.response, c.get("requestId"));
  if (outcome.kind === "cached") return respondCached(outcome.hit, encoding);
  const route = routeHeaders(outcome.meta);
  const headers = {
    ...route,
    ...admissionHeaders(outcome.admission),
    ...outcome.cache?.headers(),
  };

  const capture = c.get("principal").tenant.telemetry;
  if (outcome.kind === "json") {
    recordAnswer(c.get("span"), capture, outcome.response);
    const body = encoding.json(outcome.response);
    settleJson(outcome, body, { "content-type": "application/json", ...route });
    return new Response(body, {
      headers: {
        "content-type": "application/json",
        ...headers,
        ...costHeaders(outcome.admission, outcome.bill.cost),
        ...cascadeHeaders(outcome.cascade, outcome.admission, outcome.bill.cost),
      },
    });
  }

  const bill = new StreamBill(
    outcome.settlement,
    outcome.model,
    outcome.admission.input.idempotencyKey !== undefined,
    c.req.raw.signal,
  );
  c.executionCtx.waitUntil(bill.settled);
  let onEnd: (delivered: boolean) => void = () => undefined;
  const delivered = new Promise<boolean>((resolve) => {
    onEnd = resolve;
  });
  const upstream = committedEvents(outcome.start, outcome.idleTimeoutMs);
  const tapped = outcome.cache?.tap(upstream, outcome, delivered) ?? upstream;
  const events = traceStream(meteredEvents(tapped, bill, outcome.admission.outputTokens), c.get("span"), capture);
  const frames = billedFrames(encoding.frames(events, outcome), bill)[Symbol.asyncIterator]();
  return new Response(
    toByteStream(frames, {
      stopUpstream: outcome.start.cancel,
      onClientGone: () => bill.abandon(),
      waitUntil: (task) => c.executionCtx.waitUntil(task),
      onEnd,
    }),
    {
      headers: {
        ...SSE_HEADERS,
        ...headers,
        "x-gateway-credits-remaining": String(outcome.admission.balanceAfter),
        ...cascadeHeaders(outcome.cascade, outcome.admission),
      },
    },
  );
}
