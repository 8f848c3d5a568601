import { createMiddleware } from "hono/factory";
import { verifyAdmin } from "../../auth/admin";
import type { AppEnv } from "../../context";
import { GatewayError } from "../../errors";

const CHALLENGE = { "www-authenticate": 'Bearer realm="gateway-admin"' };

/**
 * Every admin request proves the admin secret before anything else under /admin runs, so a refused request costs no
 * store call. Gateway API keys and tenant JWTs are not admin credentials: they fail the comparison like any other
 * wrong secret. Without a configured ADMIN_SECRET every request is refused (never fail open).
 */
export function adminAuth() {
  return createMiddleware<AppEnv>(async function adminAuthMiddleware(c, next) {
    const secret = c.var.services.env.config.ADMIN_SECRET;
    const verdict = await verifyAdmin(c.req.header("authorization"), secret);
    if (!verdict.ok) {
      const message =
        verdict.reason === "not_configured"
          ? "The admin API is disabled: ADMIN_SECRET is not configured."
          : verdict.reason === "missing"
            ? "Missing admin credentials: send `Authorization: Bearer <ADMIN_SECRET>`."
            : "Invalid admin credentials.";
      throw new GatewayError("unauthorized", message, { headers: CHALLENGE });
    }
    return next();
  });
}
