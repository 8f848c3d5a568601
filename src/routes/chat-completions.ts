import type { Context } from "hono";
import type { AppEnv } from "../context";
import { GatewayError } from "../errors";
import { parseChatRequest } from "../formats/openai/client-request";
import { runChat } from "../gateway/chat";
import { chatContext } from "../gateway/request-context";
import { toolOffer } from "../gateway/tool-loop/offer";
import { jsonBody } from "../middleware/body";
import { recordPrompt } from "../observability/content";
import { openAiSse } from "../streaming/openai-sse";
import { respondChat } from "./respond-chat";
import { respondWithToolLoop } from "./respond-tool-loop";

export async function chatCompletionsHandler(c: Context<AppEnv>) {
  const parsed = parseChatRequest(jsonBody(c.get("rawBody"), c.req.header("content-type")));
  if (!parsed.ok) throw new GatewayError("invalid_request", parsed.message, { param: parsed.param });
  const req = parsed.value;
  const ctx = await chatContext(c);
  recordPrompt(ctx.span, ctx.principal.tenant.telemetry, req);
  const offer = toolOffer(req, ctx.services.policy, ctx.principal);
  if (offer !== undefined) return respondWithToolLoop(c, ctx, req, offer);
  const outcome = await runChat(ctx, req);
  return respondChat(c, outcome, {
    json: (response) => JSON.stringify(response),
    frames: (events) =>
      openAiSse(events, { includeUsage: req.stream_options?.include_usage === true, requestId: c.get("requestId") }),
  });
}
