import type { Context } from "hono";
import type { AppEnv } from "../context";
import { GatewayError } from "../errors";
import { parseChatRequest } from "../formats/openai/chat-request";
import { runChat } from "../gateway/chat";
import { routeHeaders } from "../gateway/route-meta";
import { jsonBody } from "../middleware/body";
import { openAiSse } from "../streaming/openai-sse";
import { committedEvents, toByteStream } from "../streaming/pump";
import { SSE_HEADERS } from "../streaming/sse";

export async function chatCompletionsHandler(c: Context<AppEnv>) {
  const parsed = parseChatRequest(jsonBody(c.var.rawBody, c.req.header("content-type")));
  if (!parsed.ok) throw new GatewayError("invalid_request", parsed.message, { param: parsed.param });
  const req = parsed.value;
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
  if (outcome.kind === "json") return c.json(outcome.response, 200, headers);
  const frames = openAiSse(committedEvents(outcome.start, outcome.idleTimeoutMs), {
    includeUsage: req.stream_options?.include_usage === true,
    requestId: c.var.requestId,
  });
  return new Response(toByteStream(frames, outcome.start.cancel), { headers: { ...SSE_HEADERS, ...headers } });
}
