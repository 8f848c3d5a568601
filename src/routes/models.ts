import type { Context } from "hono";
import type { AppEnv } from "../context";

/** The models this caller may name: every alias its routes allow, plus the routes themselves (e.g. `auto`). */
export function listModelsHandler(c: Context<AppEnv>) {
  const { policy } = c.var.services;
  const ids = new Set<string>();
  for (const routeName of c.var.principal.tenant.routes) {
    const route = policy.routes[routeName];
    if (route === undefined) continue;
    ids.add(route.name);
    for (const alias of route.models) ids.add(alias);
  }
  const data = [...ids].map((id) => ({ id, object: "model" as const, created: 0, owned_by: "gateway" }));
  return c.json({ object: "list" as const, data }, 200, { "x-gateway-policy-version": policy.version });
}
