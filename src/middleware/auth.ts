import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { lookupStaticKey } from "../auth/static-keys";
import type { AppEnv } from "../context";
import { GatewayError } from "../errors";

const CHALLENGE = { "www-authenticate": 'Bearer realm="gateway"' };

/** Accepts the gateway key the way both SDK families send it: `Authorization: Bearer` (OpenAI) or `x-api-key` (Anthropic). */
function presentedKey(c: Context<AppEnv>): string | undefined {
  const auth = c.req.header("authorization");
  if (auth !== undefined) {
    const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(auth);
    return match?.[1];
  }
  return c.req.header("x-api-key")?.trim() || undefined;
}

function unauthorized(message: string): GatewayError {
  return new GatewayError("unauthorized", message, { headers: CHALLENGE });
}

export function authenticate() {
  return createMiddleware<AppEnv>(async function authenticateMiddleware(c, next) {
    const { env, policy } = c.var.services;
    const key = presentedKey(c);
    if (key === undefined) throw unauthorized("Missing API key: send `Authorization: Bearer <key>` or `x-api-key`.");
    // Never echo the key: messages below name no part of it.
    const found = await lookupStaticKey(env.config.GATEWAY_STATIC_KEYS, key);
    if (found === undefined) throw unauthorized("Invalid API key.");
    const tenant = policy.tenants[found.tenant];
    if (tenant === undefined) {
      console.error(`static key ${found.keyId} names tenant "${found.tenant}", which the policy does not define`);
      throw unauthorized("Invalid API key.");
    }
    c.set("principal", { tenant, keyId: found.keyId, source: "static-key" });
    return next();
  });
}
