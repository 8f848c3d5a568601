import type { Context } from "hono";
import type { AppEnv } from "../context";
import { GatewayError } from "../errors";
import { parseEmbeddingsRequest } from "../formats/openai/client-embeddings-request";
import { admissionHeaders, costHeaders } from "../gateway/billing/headers";
import { runEmbeddings } from "../gateway/embeddings";
import { chatContext } from "../gateway/request-context";
import { routeHeaders } from "../gateway/route-meta";
import { jsonBody } from "../middleware/body";
import { replayResponse } from "./replay";

export async function embeddingsHandler(c: Context<AppEnv>) {
  const parsed = parseEmbeddingsRequest(jsonBody(c.get("rawBody"), c.req.header("content-type")));
  if (!parsed.ok) throw new GatewayError("invalid_request", parsed.message, { param: parsed.param });
  const outcome = await runEmbeddings(await chatContext(c), parsed.value);
  if (outcome.kind === "replay") return replayResponse(outcome.response, c.get("requestId"));
  // The same serialisation the idempotency record stored: the body is built once.
  return new Response(outcome.body, {
    headers: {
      "content-type": "application/json",
      ...routeHeaders(outcome.meta),
      ...admissionHeaders(outcome.admission),
      ...costHeaders(outcome.admission, outcome.cost),
    },
  });
}
