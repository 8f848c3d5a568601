import { z } from "zod";

/** Analytics' part of the Worker's vars; `src/env.ts` spreads it into the Worker's env schema. */
export const AnalyticsEnvSchema = z.object({
  /**
   * Where analytics rollups live: the embedded Durable Objects (default when bound), the Upstash Redis of
   * UPSTASH_REDIS_REST_URL, or `off`.
   */
  ANALYTICS_BACKEND: z.enum(["durable-object", "upstash", "off"]).optional(),
  /** How long usage events gather in an isolate before one batch is written (the loss window on an isolate crash). */
  ANALYTICS_FLUSH_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
});

export type AnalyticsEnvConfig = z.infer<typeof AnalyticsEnvSchema>;
