import { z } from "zod";
import { TemplateSchema } from "./schema-fields";

/** `providers.<id>.load`: how the gateway watches an origin cluster's load and when it spills to hosted fallbacks. */

const count = (what: string) =>
  z
    .int({ error: `${what}: must be a whole number` })
    .min(0, { error: "must not be negative" })
    .max(1_000_000);

const LevelsSchema = z
  .strictObject({
    waiting: count("waiting")
      .optional()
      .describe("Requests waiting in the cluster's queue (`vllm:num_requests_waiting`)."),
    running: count("running").optional().describe("Requests running on the cluster (`vllm:num_requests_running`)."),
    kv_cache_usage: z
      .number()
      .min(0, { error: "must be between 0 and 1" })
      .max(1, { error: "must be between 0 and 1" })
      .optional()
      .describe("KV-cache fill, 0..1 (`vllm:kv_cache_usage_perc`)."),
    in_flight: count("in_flight").optional().describe("Calls this isolate has in flight to the cluster."),
    ttft_ms: count("ttft_ms")
      .optional()
      .describe("Moving average of this isolate's time to first token from the cluster, in milliseconds."),
  })
  .describe("Load levels; each gauge is optional.");

const MetricsSchema = z
  .strictObject({
    url: TemplateSchema.default("/metrics").describe(
      "The Prometheus endpoint: a path resolved against the origin of the provider's `base_url` (default " +
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the placeholder syntax admins write, shown in docs.
        "`/metrics`), or an absolute URL (may contain `${VAR}` placeholders).",
    ),
    interval_ms: z
      .int()
      .min(100, { error: "must be between 100 and 60000" })
      .max(60_000, { error: "must be between 100 and 60000" })
      .default(1000)
      .describe(
        "At most one scrape per isolate per interval (scrapes run in the background, never in a request's path).",
      ),
    timeout_ms: z.int().min(10).max(10_000).default(500).describe("A scrape slower than this is abandoned."),
  })
  .describe("Scrape the cluster's Prometheus `/metrics` (vLLM, TGI and SGLang gauge names are understood).");

const GAUGES = ["waiting", "running", "kv_cache_usage", "in_flight", "ttft_ms"] as const;

export const OriginLoadSchema = z
  .strictObject({
    metrics: MetricsSchema.optional(),
    stale_ms: z
      .int()
      .min(100)
      .max(600_000)
      .default(5000)
      .describe("A scraped or ORCA-reported sample older than this is ignored."),
    ttft_half_life_ms: z
      .int()
      .min(100)
      .max(600_000)
      .default(10_000)
      .describe("Half-life of the time-to-first-token moving average."),
    spill_at: LevelsSchema.describe(
      "Spill (send requests to the route's other targets and fallbacks) when ANY gauge reaches its level.",
    ),
    resume_at: LevelsSchema.default({}).describe(
      "Stop spilling when EVERY gauge is at or below its level here (hysteresis). A gauge without a level here " +
        "resumes as soon as it is below its `spill_at` level.",
    ),
  })
  .superRefine((load, ctx) => {
    if (GAUGES.every((g) => load.spill_at[g] === undefined)) {
      ctx.addIssue({ code: "custom", path: ["spill_at"], message: "needs at least one level (e.g. `waiting: 1`)" });
    }
    for (const g of GAUGES) {
      const resume = load.resume_at[g];
      if (resume === undefined) continue;
      const spill = load.spill_at[g];
      if (spill === undefined) {
        ctx.addIssue({ code: "custom", path: ["resume_at", g], message: "has no `spill_at` level to resume from" });
      } else if (resume >= spill) {
        ctx.addIssue({
          code: "custom",
          path: ["resume_at", g],
          message: `is ${resume}, not below spill_at.${g} (${spill}): without a gap the cluster would flap`,
        });
      }
    }
  })
  .describe(
    "Origins only: watch the cluster's load (Prometheus `/metrics`, the `endpoint-load-metrics` ORCA header, " +
      "in-flight calls, time to first token) and spill to the route's hosted fallbacks before it queues requests.",
  );
