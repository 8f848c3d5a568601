import type { Context } from "hono";
import type { AppEnv } from "../context";
import { GatewayError } from "../errors";
import { parseChatRequest } from "../formats/openai/chat-request";
import { runChat } from "../gateway/chat";
import { chatContext } from "../gateway/request-context";
import { loopExecutor } from "../gateway/tool-loop/execute";
import { runToolLoop } from "../gateway/tool-loop/loop";
import { toolOffer } from "../gateway/tool-loop/offer";
import { jsonTurn, type LiveLoop, streamTurns } from "../gateway/tool-loop/turns";
import { jsonBody } from "../middleware/body";
import { openAiSse } from "../streaming/openai-sse";
import { toolDeps } from "../tools";
import { respondChat } from "./respond-chat";
import { respondToolLoopJson, respondToolLoopStream } from "./respond-tool-loop";

export async function chatCompletionsHandler(c: Context<AppEnv>) {
  const parsed = parseChatRequest(jsonBody(c.var.rawBody, c.req.header("content-type")));
  if (!parsed.ok) throw new GatewayError("invalid_request", parsed.message, { param: parsed.param });
  const req = parsed.value;
  const ctx = await chatContext(c);
  const offer = toolOffer(req, ctx.services.policy, ctx.principal);
  if (offer !== undefined) {
    const execute = loopExecutor({
      deps: toolDeps(ctx.services, (p) => c.executionCtx.waitUntil(p)),
      principal: ctx.principal,
      requestId: c.var.requestId,
      ...(ctx.billing.taskId === undefined ? {} : { taskId: ctx.billing.taskId }),
      ...(ctx.billing.feature === undefined ? {} : { feature: ctx.billing.feature }),
      ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
    });
    if (req.stream !== true) return respondToolLoopJson(runToolLoop(ctx, req, offer, execute, jsonTurn));
    const live: LiveLoop = {};
    const loop = runToolLoop(ctx, req, offer, execute, streamTurns(live));
    return respondToolLoopStream(c, loop, live, req.stream_options?.include_usage === true);
  }
  const outcome = await runChat(ctx, req);
  return respondChat(c, outcome, {
    json: (response) => JSON.stringify(response),
    frames: (events) =>
      openAiSse(events, { includeUsage: req.stream_options?.include_usage === true, requestId: c.var.requestId }),
  });
}
