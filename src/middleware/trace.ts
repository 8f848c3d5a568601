import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../context";
import { GatewayError } from "../errors";
import { ATTR, SpanKind } from "../observability/attributes";
import { NOOP_SPAN, type Span } from "../observability/span";
import { genAiProviderName } from "../providers";

/** `gen_ai.operation.name` of each routed path. */
const OPERATIONS: Record<string, string> = {
  "/v1/chat/completions": "chat",
  "/v1/messages": "chat",
  "/v1/responses": "chat",
  "/v1/embeddings": "embeddings",
};

/**
 * Opens the request's root span (SERVER) and closes it with what the response says: status, route, model, provider,
 * attempts, and the gateway's error code. With telemetry off this is one branch and the shared no-op span.
 */
export function traceRequests() {
  return createMiddleware<AppEnv>(async function traceMiddleware(c, next) {
    const { telemetry } = c.get("services");
    if (!telemetry.enabled) {
      c.set("span", NOOP_SPAN);
      return next();
    }
    const path = c.req.path;
    const span = telemetry.startRequest(`${c.req.method} ${path}`, SpanKind.server, c.req.header("traceparent"), (p) =>
      c.executionCtx.waitUntil(p),
    );
    c.set("span", span);
    span.set(ATTR.httpMethod, c.req.method);
    span.set(ATTR.requestId, c.get("requestId"));
    const operation = OPERATIONS[path] ?? (path.startsWith("/v1/tools/") ? "execute_tool" : undefined);
    span.set(ATTR.operationName, operation);
    try {
      await next();
    } finally {
      finishRoot(span, c, operation);
    }
  });
}

function finishRoot(span: Span, c: Context<AppEnv>, operation: string | undefined): void {
  const res = c.res;
  const h = res.headers;
  span.set(ATTR.httpStatus, res.status);
  span.set(ATTR.route, h.get("x-gateway-route") ?? undefined);
  span.set(ATTR.modelAlias, h.get("x-gateway-model") ?? undefined);
  span.set(ATTR.responseModel, h.get("x-gateway-upstream-model") ?? undefined);
  span.set(ATTR.cache, h.get("x-gateway-cache") ?? undefined);
  const providerId = h.get("x-gateway-provider");
  if (providerId !== null) {
    span.set(ATTR.providerId, providerId);
    const provider = c.get("services").policy.providers[providerId];
    if (provider !== undefined) span.set(ATTR.providerName, genAiProviderName(provider.type));
  }
  const attempts = h.get("x-gateway-attempts");
  if (attempts !== null) span.set(ATTR.attempts, Number(attempts));
  const principal = c.get("principal");
  if (principal !== undefined) {
    span.set(ATTR.tenant, principal.tenant.id);
    span.set(ATTR.account, principal.accountId);
  }
  const err = c.error;
  if (err !== undefined) {
    const code = err instanceof GatewayError ? err.code : "internal_error";
    span.set(ATTR.errorCode, code);
    span.fail(code, err instanceof GatewayError ? err.message : undefined);
  } else if (res.status >= 500) {
    span.fail(String(res.status));
  }
  // The conventions' span name, `{operation} {request model}`, once the pipeline has read the model.
  const model = span.get(ATTR.requestModel);
  if (operation !== undefined && typeof model === "string") span.updateName(`${operation} ${model}`);
  span.end();
}
