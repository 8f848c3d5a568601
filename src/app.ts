import { Hono } from "hono";
import type { AppEnv, Services } from "./context";
import { errorResponse, GatewayError } from "./errors";
import { authenticate } from "./middleware/auth";
import { bodyLimit } from "./middleware/body";
import { recordRefusals } from "./middleware/record-refusals";
import { requestId } from "./middleware/request-id";
import { traceRequests } from "./middleware/trace";
import { adminApp } from "./routes/admin";
import { allowedMethods, V1_ROUTES } from "./routes/v1";

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

  app.get("/healthz", (c) => c.json({ status: "ok", policy_version: c.get("services").policy.version }));

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
  for (const route of V1_ROUTES) {
    if (route.recordsRefusals) app.use(route.path, recordRefusals());
    app.on(route.method, route.path, route.handler);
  }

  app.notFound((c) => {
    const allowed = allowedMethods(c.req.path);
    const err = allowed
      ? new GatewayError("method_not_allowed", `${c.req.method} is not allowed on ${c.req.path}.`, {
          headers: { allow: allowed.join(", ") },
        })
      : notFound(c.req.method, c.req.path);
    return errorResponse(err, c.get("requestId") ?? "unknown");
  });

  app.onError((err, c) => {
    const id = c.get("requestId") ?? "unknown";
    if (err instanceof GatewayError) return errorResponse(err, id);
    console.error(`[${id}] unhandled error`, err);
    return errorResponse(new GatewayError("internal_error", "The gateway failed to handle this request."), id);
  });

  return app;
}

function notFound(method: string, path: string): GatewayError {
  return new GatewayError("not_found", `No route for ${method} ${path}.`);
}
