import type { Handler } from "hono";
import { Hono } from "hono";
import type { AppEnv } from "../../context";
import { GatewayError } from "../../errors";
import { adminAnalyticsHandler, adminFlushHandler } from "../analytics/handlers";
import { adminAuth } from "./admin-auth";
import { cacheStatsHandler, invalidateCacheHandler } from "./cache";
import {
  accountBalanceHandler,
  accountCreditsHandler,
  accountEntriesHandler,
  keyBalanceHandler,
  keyCreditsHandler,
  keyEntriesHandler,
} from "./credits";
import { createKeyHandler, getKeyHandler, listKeysHandler, revokeKeyHandler } from "./keys";
import { adminUsageExportHandler, adminUsageHandler } from "./usage";

/** Where the app mounts `adminApp()`; the 405/404 fallback matches full paths under it. */
export const ADMIN_BASE = "/admin";

interface AdminRoute {
  method: "GET" | "POST";
  path: string;
  handler: Handler<AppEnv>;
}

/** The one table of admin routes: registered from here, and the wrong-method answer (405 + Allow) is derived from it. */
const ROUTES: AdminRoute[] = [
  { method: "POST", path: "/keys", handler: createKeyHandler },
  { method: "GET", path: "/keys", handler: listKeysHandler },
  { method: "GET", path: "/keys/:id", handler: getKeyHandler },
  { method: "POST", path: "/keys/:id/revoke", handler: revokeKeyHandler },
  { method: "POST", path: "/keys/:id/credits", handler: keyCreditsHandler },
  { method: "GET", path: "/keys/:id/balance", handler: keyBalanceHandler },
  { method: "GET", path: "/keys/:id/entries", handler: keyEntriesHandler },
  { method: "POST", path: "/accounts/:account/credits", handler: accountCreditsHandler },
  { method: "GET", path: "/accounts/:account/balance", handler: accountBalanceHandler },
  { method: "GET", path: "/accounts/:account/entries", handler: accountEntriesHandler },
  { method: "GET", path: "/usage", handler: adminUsageHandler },
  { method: "GET", path: "/usage/export", handler: adminUsageExportHandler },
  { method: "GET", path: "/analytics", handler: adminAnalyticsHandler },
  { method: "POST", path: "/analytics/flush", handler: adminFlushHandler },
  { method: "POST", path: "/tenants/:id/cache/invalidate", handler: invalidateCacheHandler },
  { method: "GET", path: "/tenants/:id/cache/stats", handler: cacheStatsHandler },
];

const PATTERNS = ROUTES.map((r) => ({
  ...r,
  regex: new RegExp(`^${ADMIN_BASE}${r.path.replace(/:[a-z]+/g, "[^/]+")}$`),
}));

function allowedMethods(path: string): string[] {
  const methods = PATTERNS.filter((p) => p.regex.test(path)).map((p) => p.method);
  return [...new Set(methods)];
}

/**
 * The admin API, to be mounted with `app.route("/admin", adminApp())` after the request-id, services and body-limit
 * middleware and before any API-key authentication. Its own middleware checks the admin secret first, so unknown
 * paths and wrong methods are only described to an authenticated admin.
 */
export function adminApp(): Hono<AppEnv> {
  const admin = new Hono<AppEnv>();
  admin.use("*", adminAuth());
  for (const route of ROUTES) admin.on(route.method, route.path, route.handler);
  admin.all("*", function adminFallback(c) {
    const allowed = allowedMethods(c.req.path);
    if (allowed.length > 0) {
      throw new GatewayError("method_not_allowed", `${c.req.method} is not allowed on ${c.req.path}.`, {
        headers: { allow: allowed.join(", ") },
      });
    }
    throw new GatewayError("not_found", `No route for ${c.req.method} ${c.req.path}.`);
  });
  return admin;
}
