import { z } from "zod";

/**
 * A route's batch settings (`routes.<id>.batch`): when items of a Batch API job (`POST /v1/batches`) that name this
 * route, or one of its aliases, may start, and how many may run at once. Items run through the route's own targets,
 * fallbacks and retries, billed at each model's batch price (`price.batch_discount_ppm`).
 */
export const RouteBatchSchema = z
  .strictObject({
    completion_window: z
      .literal("24h")
      .default("24h")
      .describe(
        "How long a batch may take (the only window offered, as OpenAI's). Deferred items stop waiting for their " +
          "window in the last hour of it, so the window is kept.",
      ),
    max_concurrency: z
      .int()
      .min(1, { error: "must be between 1 and 1000" })
      .max(1000, { error: "must be between 1 and 1000" })
      .default(4)
      .describe(
        "Items of one tenant that may run at once on this route; more wait in the queue, so a batch never " +
          "crowds out interactive traffic.",
      ),
    off_peak: z
      .strictObject({
        start_hour: z.int().min(0).max(23).describe("UTC hour the window opens (inclusive)."),
        end_hour: z.int().min(0).max(23).describe("UTC hour the window closes (exclusive); may wrap past midnight."),
      })
      .refine((w) => w.start_hour !== w.end_hour, { error: "start_hour and end_hour must differ" })
      .optional()
      .describe("Items start only inside this daily UTC window. Absent: any time."),
    origin_idle: z
      .boolean()
      .default(false)
      .describe(
        "`true`: items start only while no origin cluster of the route is spilling (its load is below the " +
          "provider's `load.spill_at` thresholds), so batch work uses the cluster's idle capacity.",
      ),
    via: z
      .enum(["gateway", "provider"])
      .default("gateway")
      .describe(
        "`gateway`: each item runs through the route's targets. `provider`: the whole batch goes to the provider's " +
          "own batch API (the first target of the route's first model; only provider types that have one: " +
          "`openai`, `anthropic`), which it polls every `poll_interval_s`; each item is still admitted and settled through the " +
          "ledger once, at the batch price, when its result arrives.",
      ),
    poll_interval_s: z
      .int()
      .min(1)
      .max(3600)
      .default(60)
      .describe("With `via: provider`: seconds between polls of the provider's batch."),
    retry_delay_s: z
      .int()
      .min(0)
      .max(3600)
      .default(30)
      .describe("Seconds a deferred or failed item waits before the queue offers it again."),
  })
  .describe("Batch API settings for items on this route (low priority, batch prices).");
