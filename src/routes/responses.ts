import type { Context } from "hono";
import type { AppEnv } from "../context";
import { GatewayError } from "../errors";
import { responsesParam, responsesToCanonical } from "../formats/responses/client-request";
import { canonicalToResponse, echoOf, type ResponseIds } from "../formats/responses/client-response";
import { encodeResponsesStream } from "../formats/responses/client-stream";
import { parseResponsesRequest } from "../formats/responses/request-schema";
import { runChat } from "../gateway/chat";
import { chatContext } from "../gateway/request-context";
import { toolOffer } from "../gateway/tool-loop/offer";
import { jsonBody } from "../middleware/body";
import { recordPrompt } from "../observability/content";
import { respondChat } from "./respond-chat";
import { type LoopEncoding, respondWithToolLoop } from "./respond-tool-loop";

/**
 * OpenAI Responses ingress, stateless: translated to the canonical chat request, routed, billed and answered like
 * any chat call (gateway tools run in the same loop), then written back as a response object or its event stream.
 */
export async function responsesHandler(c: Context<AppEnv>) {
  const parsed = parseResponsesRequest(jsonBody(c.get("rawBody"), c.req.header("content-type")));
  if (!parsed.ok) throw new GatewayError("invalid_request", parsed.message, { param: parsed.param });
  const req = parsed.value;
  const chat = responsesToCanonical(req);
  const ctx = await chatContext(c);
  recordPrompt(ctx.span, ctx.principal.tenant.telemetry, chat);
  const now = () => Math.floor(ctx.services.now() / 1000);
  const ids: ResponseIds = { responseId: `resp_${c.get("requestId").slice(4)}`, createdAt: now() };
  const echo = echoOf(req);
  const encoding: LoopEncoding = {
    json: (response) => JSON.stringify(canonicalToResponse(response, ids, echo, now())),
    frames: (events, model) => encodeResponsesStream(events, { ids, echo, model, now }),
  };
  try {
    const offer = toolOffer(chat, ctx.services.policy, ctx.principal);
    if (offer !== undefined) return await respondWithToolLoop(c, ctx, chat, offer, encoding);
    const outcome = await runChat(ctx, chat);
    return await respondChat(c, outcome, {
      json: encoding.json,
      frames: (events, stream) => encoding.frames(events, stream.start.first.chunk.model || stream.meta.upstreamModel),
    });
  } catch (err) {
    throw inResponsesTerms(err);
  }
}

/** An error about a canonical field (`max_completion_tokens`) names the field the client sent (`max_output_tokens`). */
function inResponsesTerms(err: unknown): unknown {
  if (!(err instanceof GatewayError) || err.param === null) return err;
  const param = responsesParam(err.param);
  if (param === err.param) return err;
  const renamed = new GatewayError(err.code, err.message.replaceAll(err.param, param), {
    param,
    headers: err.headers,
    cause: err,
  });
  renamed.usageFlags.push(...err.usageFlags);
  return renamed;
}
