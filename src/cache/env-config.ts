import { z } from "zod";

/** The response cache's part of the Worker's vars; `src/env.ts` spreads it into the Worker's env schema. */
export const CacheEnvSchema = z.object({
  /**
   * Where the response cache lives: Upstash Vector, or the embedded Durable Objects. Default: `upstash` when
   * UPSTASH_VECTOR_REST_URL is set, else `durable-object`.
   */
  CACHE_BACKEND: z.enum(["durable-object", "upstash"]).optional(),
  UPSTASH_VECTOR_REST_URL: z.url().optional(),
  UPSTASH_VECTOR_REST_TOKEN: z.string().min(1).optional(),
  /** Longest a cache call may take; past it the request is served without the cache (a bypass). */
  CACHE_TIMEOUT_MS: z.coerce.number().int().min(50).max(10_000).default(1500),
});

export type CacheEnvConfig = z.infer<typeof CacheEnvSchema>;
