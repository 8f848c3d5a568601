import { z } from "zod";
import { AnalyticsEnvSchema } from "./analytics/env-config";
import { CacheEnvSchema } from "./cache/env-config";
import { type Bindings, LedgerConfigSchema } from "./ledger/config";
import { OtelEnvSchema } from "./observability/env-config";

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
  /** Largest accepted Batch API input file (`POST /v1/files`), bytes; it is validated in memory before it is stored. */
  MAX_FILE_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(100 * 1024 * 1024)
    .default(50 * 1024 * 1024),
  /**
   * Bootstrap API keys as JSON: `[{"key_id":"dev","tenant":"acme","sha256":"<hex of the key>"}]`.
   * Only hashes are stored; see README "API keys".
   */
  GATEWAY_STATIC_KEYS: z.string().optional(),
  ...LedgerConfigSchema.shape,
  /** Bearer secret for /admin/*; when unset, the admin API refuses every request. */
  ADMIN_SECRET: z.string().min(16).optional(),
  /**
   * How long an isolate trusts an API key record it has read: the bound on how long a revoked key keeps working.
   */
  KEY_CACHE_TTL_MS: z.coerce.number().int().min(0).max(300_000).default(10_000),
  ...CacheEnvSchema.shape,
  ...AnalyticsEnvSchema.shape,
  ...OtelEnvSchema.shape,
});

export type ParsedEnv = z.infer<typeof EnvSchema>;

/** The raw Worker env: bindings plus string vars/secrets. */
export type WorkerEnv = Bindings;

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
