import { z } from "zod";

/** A Worker env as the runtime hands it over: bindings and string vars, read by name. */
export type Bindings = Record<string, unknown>;

/**
 * The ledger's part of the Worker's vars. `src/env.ts` spreads it into the Worker's env schema; the settlement
 * outbox (a Durable Object with its own env) parses just this part.
 */
export const LedgerConfigSchema = z.object({
  /** Where credits, holds, keys and usage live: the embedded Durable Objects (default) or Upstash Redis. */
  LEDGER_BACKEND: z.enum(["durable-object", "upstash"]).default("durable-object"),
  UPSTASH_REDIS_REST_URL: z.url().optional(),
  UPSTASH_REDIS_REST_TOKEN: z.string().min(1).optional(),
});

export type LedgerConfig = z.infer<typeof LedgerConfigSchema>;
export type LedgerBackendName = LedgerConfig["LEDGER_BACKEND"];

export function parseLedgerConfig(raw: Bindings): LedgerConfig {
  const result = LedgerConfigSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`invalid ledger configuration: ${issue?.path.join(".")}: ${issue?.message}`);
  }
  return result.data;
}
