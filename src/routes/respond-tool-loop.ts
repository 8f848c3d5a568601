import type { Context } from "hono";
import { replayEvents } from "../cache/replay";
import type { AppEnv } from "../context";
import { admissionHeaders } from "../gateway/billing/headers";
import { routeHeaders } from "../gateway/route-meta";
import type { ToolLoopResult } from "../gateway/tool-loop/loop";
import { openAiSse } from "../streaming/openai-sse";
import { SSE_HEADERS } from "../streaming/sse";

/** Headers of a tool-loop answer: the last turn's routing, plus what the whole loop did and cost. */
function loopHeaders(result: ToolLoopResult): Record<string, string> {
  const { "x-gateway-credits-reserved": _reserved, ...admission } = admissionHeaders(result.admission);
  const headers: Record<string, string> = {
    ...routeHeaders(result.meta),
    ...admission,
    "x-gateway-cost": String(result.cost),
    "x-gateway-credits-remaining": String(result.creditsRemaining),
    "x-gateway-tool-turns": String(result.turns),
    "x-gateway-tool-calls": String(result.toolCalls),
  };
  if (result.stop !== undefined) headers["x-gateway-tool-loop-stop"] = result.stop;
  if (result.dropped > 0) headers["x-gateway-tool-calls-dropped"] = String(result.dropped);
  return headers;
}

/**
 * The loop's final answer, in the shape the client asked for. Turns run as JSON calls (the gateway must see whole
 * tool calls before it can act on them), so a streaming client gets the final answer as SSE once the loop ends.
 */
export async function respondToolLoop(
  c: Context<AppEnv>,
  result: ToolLoopResult,
  stream: { includeUsage: boolean } | undefined,
): Promise<Response> {
  const headers = loopHeaders(result);
  if (stream === undefined) {
    return new Response(JSON.stringify(result.response), {
      headers: { "content-type": "application/json", ...headers },
    });
  }
  let body = "";
  const frames = openAiSse(replayEvents(result.response), {
    includeUsage: stream.includeUsage,
    requestId: c.var.requestId,
  });
  for await (const frame of frames) body += frame;
  return new Response(body, { headers: { ...SSE_HEADERS, ...headers } });
}
