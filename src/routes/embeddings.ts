import type { Context } from "hono";
import type { AppEnv } from "../context";
import { GatewayError } from "../errors";
import { parseEmbeddingsRequest } from "../formats/openai/embeddings-request";
import { runEmbeddings } from "../gateway/embeddings";
import { routeHeaders } from "../gateway/route-meta";
import { jsonBody } from "../middleware/body";

export async function embeddingsHandler(c: Context<AppEnv>) {
  const parsed = parseEmbeddingsRequest(jsonBody(c.var.rawBody, c.req.header("content-type")));
  if (!parsed.ok) throw new GatewayError("invalid_request", parsed.message, { param: parsed.param });
  const outcome = await runEmbeddings(
    { services: c.var.services, principal: c.var.principal, signal: c.req.raw.signal },
    parsed.value,
  );
  return c.json(outcome.response, 200, routeHeaders(outcome.meta));
}
