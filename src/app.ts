import { Hono } from "hono";
import type { AppEnv, Services } from "./context";
import { errorResponse, GatewayError } from "./errors";
import { authenticate } from "./middleware/auth";
import { bodyLimit } from "./middleware/body";
import { recordRefusals } from "./middleware/record-refusals";
import { requestId } from "./middleware/request-id";
import { traceRequests } from "./middleware/trace";
import { balanceHandler, usageHandler } from "./routes/account";
import { adminApp } from "./routes/admin";
import { chatCompletionsHandler } from "./routes/chat-completions";
import { countTokensHandler } from "./routes/count-tokens";
import { embeddingsHandler } from "./routes/embeddings";
import { messagesHandler } from "./routes/messages";
import { listModelsHandler } from "./routes/models";
import { responsesHandler } from "./routes/responses";
import { TOOLS_INVOKE_PATH, toolsInvokeHandler } from "./routes/tools-invoke";

/** Paths we serve, with their methods: anything else on a known path is a 405 with `Allow`. */
const ROUTES: Record<string, string[]> = {
  "/v1/chat/completions": ["POST"],
  "/v1/messages": ["POST"],
  "/v1/messages/count_tokens": ["POST"],
  "/v1/responses": ["POST"],
  "/v1/embeddings": ["POST"],
  "/v1/models": ["GET"],
  "/v1/balance": ["GET"],
  "/v1/usage": ["GET"],
  "/healthz": ["GET"],
};

/** Methods allowed on a path: the fixed table, then parameterised paths. */
function allowedMethods(path: string): string[] | undefined {
  return ROUTES[path] ?? (TOOLS_INVOKE_PATH.test(path) ? ["POST"] : undefined);
}

/**
 * The one place that orders middleware and mounts routes. Order matters: request id first (every response has one),
 * then the size-limited body read (413 before anything else), then services, then authentication.
 */
export function createApp(services: (env: AppEnv["Bindings"]) => Services) {
  const app = new Hono<AppEnv>();

  app.use("*", requestId());
  app.use("*", async function servicesMiddleware(c, next) {
    c.set("services", services(c.env));
    return next();
  });
  app.use("*", traceRequests());
  app.use("*", bodyLimit());

  app.get("/healthz", (c) => c.json({ status: "ok", policy_version: c.var.services.policy.version }));

  // The admin API has its own credential (ADMIN_SECRET); API keys never reach it.
  app.route("/admin", adminApp());

  app.use("/v1/*", async function methodGuard(c, next) {
    const allowed = allowedMethods(c.req.path);
    if (allowed !== undefined && !allowed.includes(c.req.method)) {
      throw new GatewayError("method_not_allowed", `${c.req.method} is not allowed on ${c.req.path}.`, {
        headers: { allow: allowed.join(", ") },
      });
    }
    if (allowed === undefined) throw notFound(c.req.method, c.req.path);
    return next();
  });
  app.use("/v1/*", authenticate());
  for (const path of [
    "/v1/chat/completions",
    "/v1/messages",
    "/v1/responses",
    "/v1/embeddings",
    "/v1/tools/:name/invoke",
  ]) {
    app.use(path, recordRefusals());
  }
  app.post("/v1/chat/completions", chatCompletionsHandler);
  app.post("/v1/messages", messagesHandler);
  app.post("/v1/messages/count_tokens", countTokensHandler);
  app.post("/v1/responses", responsesHandler);
  app.post("/v1/embeddings", embeddingsHandler);
  app.get("/v1/models", listModelsHandler);
  app.get("/v1/balance", balanceHandler);
  app.get("/v1/usage", usageHandler);
  app.post("/v1/tools/:name/invoke", toolsInvokeHandler);

  app.notFound((c) => {
    const allowed = allowedMethods(c.req.path);
    const err = allowed
      ? new GatewayError("method_not_allowed", `${c.req.method} is not allowed on ${c.req.path}.`, {
          headers: { allow: allowed.join(", ") },
        })
      : notFound(c.req.method, c.req.path);
    return errorResponse(err, c.var.requestId ?? "unknown");
  });

  app.onError((err, c) => {
    const id = c.var.requestId ?? "unknown";
    if (err instanceof GatewayError) return errorResponse(err, id);
    console.error(`[${id}] unhandled error`, err);
    return errorResponse(new GatewayError("internal_error", "The gateway failed to handle this request."), id);
  });

  return app;
}

function notFound(method: string, path: string): GatewayError {
  return new GatewayError("not_found", `No route for ${method} ${path}.`);
}
