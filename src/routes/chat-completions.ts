import type { Context } from "hono";
import type { AppEnv } from "../context";
import { GatewayError } from "../errors";
import { parseChatRequest } from "../formats/openai/chat-request";
import { runChat } from "../gateway/chat";
import { chatContext } from "../gateway/request-context";
import { jsonBody } from "../middleware/body";
import { openAiSse } from "../streaming/openai-sse";
import { respondChat } from "./respond-chat";

export async function chatCompletionsHandler(c: Context<AppEnv>) {
  const parsed = parseChatRequest(jsonBody(c.var.rawBody, c.req.header("content-type")));
  if (!parsed.ok) throw new GatewayError("invalid_request", parsed.message, { param: parsed.param });
  const req = parsed.value;
  const outcome = await runChat(await chatContext(c), req);
  return respondChat(c, outcome, {
    json: (response) => JSON.stringify(response),
    frames: (events) =>
      openAiSse(events, { includeUsage: req.stream_options?.include_usage === true, requestId: c.var.requestId }),
  });
}
