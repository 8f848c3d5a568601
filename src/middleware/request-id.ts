import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";

/**
 * Every response carries our own request id; a client-sent id is never trusted as ours. It goes out twice:
 * `x-request-id` (our documented header, OpenAI SDKs) and `request-id` (what the Anthropic SDK reads into
 * `err.requestID` / `_request_id`).
 */
export function requestId() {
  return createMiddleware<AppEnv>(async function requestIdMiddleware(c, next) {
    const id = `req_${crypto.randomUUID().replaceAll("-", "")}`;
    c.set("requestId", id);
    await next();
    c.res.headers.set("x-request-id", id);
    c.res.headers.set("request-id", id);
  });
}
