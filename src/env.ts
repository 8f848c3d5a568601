import { z } from "zod";

/**
 * Vars and secrets the Worker reads, validated once per isolate. Provider credentials are looked up by the secret
 * name a policy gives (e.g. OPENAI_API_KEY), so they are read from the raw env, not listed here.
 */
const EnvSchema = z.object({
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(100 * 1024 * 1024)
    .default(4 * 1024 * 1024),
  /**
   * Bootstrap API keys as JSON: `[{"key_id":"dev","tenant":"acme","sha256":"<hex of the key>"}]`.
   * Only hashes are stored; see README "API keys".
   */
  GATEWAY_STATIC_KEYS: z.string().optional(),
  /** Where credits, holds, keys and usage live: the embedded Durable Objects (default) or Upstash Redis. */
  LEDGER_BACKEND: z.enum(["durable-object", "upstash"]).default("durable-object"),
  UPSTASH_REDIS_REST_URL: z.url().optional(),
  UPSTASH_REDIS_REST_TOKEN: z.string().min(1).optional(),
  /** Bearer secret for /admin/*; when unset, the admin API refuses every request. */
  ADMIN_SECRET: z.string().min(16).optional(),
  /**
   * How long an isolate trusts an API key record it has read: the bound on how long a revoked key keeps working.
   */
  KEY_CACHE_TTL_MS: z.coerce.number().int().min(0).max(300_000).default(10_000),
  /**
   * Where the response cache lives: Upstash Vector, or the embedded Durable Objects. Default: `upstash` when
   * UPSTASH_VECTOR_REST_URL is set, else `durable-object`.
   */
  CACHE_BACKEND: z.enum(["durable-object", "upstash"]).optional(),
  UPSTASH_VECTOR_REST_URL: z.url().optional(),
  UPSTASH_VECTOR_REST_TOKEN: z.string().min(1).optional(),
  /** Longest a cache call may take; past it the request is served without the cache (a bypass). */
  CACHE_TIMEOUT_MS: z.coerce.number().int().min(50).max(10_000).default(1500),
  /**
   * Where analytics rollups live: the embedded Durable Objects (default when bound), the Upstash Redis of
   * UPSTASH_REDIS_REST_URL, or `off`.
   */
  ANALYTICS_BACKEND: z.enum(["durable-object", "upstash", "off"]).optional(),
  /** How long usage events gather in an isolate before one batch is written (the loss window on an isolate crash). */
  ANALYTICS_FLUSH_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
});

export type ParsedEnv = z.infer<typeof EnvSchema>;

/** The raw Worker env: bindings plus string vars/secrets. */
export type WorkerEnv = Record<string, unknown>;

export interface Env {
  config: ParsedEnv;
  /** Look up a var or secret by name (provider credentials, `${VAR}` placeholders). */
  secret(name: string): string | undefined;
}

let cached: { raw: WorkerEnv; env: Env } | undefined;

export function parseEnv(raw: WorkerEnv): Env {
  if (cached?.raw === raw) return cached.env;
  const result = EnvSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`invalid Worker configuration: ${issue?.path.join(".")}: ${issue?.message}`);
  }
  const env: Env = {
    config: result.data,
    secret(name) {
      const value = raw[name];
      return typeof value === "string" && value.length > 0 ? value : undefined;
    },
  };
  cached = { raw, env };
  return env;
}
