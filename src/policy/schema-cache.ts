import { z } from "zod";
import { DEFAULT_CACHE } from "./defaults";
import { AliasSchema } from "./schema-fields";

/**
 * The response cache of a route, and the partial overrides plans and tenants may write. Defaults live only on the
 * route: an override fills nothing in, so a field the tenant leaves out keeps the plan's or the route's value.
 */

const EmbedderSchema = z
  .strictObject({
    model: AliasSchema.optional().describe("An `embeddings` model alias of this policy, called through its provider."),
    workers_ai: z
      .string()
      .regex(/^@cf\/[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)+$/, {
        error: 'must be a Workers AI model name, e.g. "@cf/baai/bge-base-en-v1.5"',
      })
      .optional()
      .describe("A Workers AI embeddings model, e.g. `@cf/baai/bge-base-en-v1.5` (needs an `[ai]` binding)."),
    binding: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "must be a Worker binding name, e.g. AI" })
      .optional()
      .describe("With `workers_ai`: the name of the AI binding in wrangler.toml. Default `AI`."),
    multilingual: z
      .boolean()
      .optional()
      .describe(
        "The embedder represents scripts beyond Latin (e.g. `@cf/baai/bge-m3`). Default false: an English-vocabulary " +
          "embedder maps text it has no tokens for to near-identical vectors, so a prompt with more than 30% of its " +
          "letters outside the Latin script never gets a semantic hit. Either way a query and an entry written in " +
          "different scripts never match.",
      ),
  })
  .superRefine((embedder, ctx) => {
    const given = [embedder.model, embedder.workers_ai].filter((v) => v !== undefined).length;
    if (given !== 1) {
      ctx.addIssue({
        code: "custom",
        message:
          'needs exactly one of `model` (an embeddings alias) or `workers_ai` (e.g. "@cf/baai/bge-base-en-v1.5")',
      });
    }
    if (embedder.binding !== undefined && embedder.workers_ai === undefined) {
      ctx.addIssue({ code: "custom", path: ["binding"], message: "only applies with `workers_ai`" });
    }
  })
  .describe(
    "Where prompt embeddings for the semantic cache come from: `{ model: <embeddings alias> }` or " +
      '`{ workers_ai: "@cf/...", binding: AI }`.',
  );

const modeField = z
  .enum(["off", "shadow", "on"])
  .describe(
    "`on` serves hits; `shadow` looks up and records what it would have served (usage events, headers) but always " +
      "calls the model, to measure hit rates safely; `off` skips the cache.",
  );
const ttlField = z
  .int({ error: "must be a whole number between 1 and 2592000 (30 days)" })
  .min(1, { error: "must be a whole number between 1 and 2592000 (30 days)" })
  .max(2_592_000, { error: "must be a whole number between 1 and 2592000 (30 days)" })
  .describe("How long an entry may be served, in seconds.");
const maxEntriesField = z
  .int({ error: "must be a whole number between 1 and 1000000" })
  .min(1, { error: "must be a whole number between 1 and 1000000" })
  .max(1_000_000, { error: "must be a whole number between 1 and 1000000" })
  .describe("Entries kept per tenant; the least recently used are evicted beyond it.");
const thresholdField = z
  .number({ error: "must be a number above 0 and at most 1" })
  .gt(0, { error: "must be above 0 and at most 1 (a cosine similarity)" })
  .lte(1, { error: "must be above 0 and at most 1 (a cosine similarity)" })
  .describe(
    "Cosine similarity a semantic hit must reach, above 0 and at most 1: plain cosine, whatever the backend's own score scale. Absent: the " +
      "gateway's calibrated decision (similarity plus lexical checks), which is usually safer than one number.",
  );
const hitPriceField = z
  .int({ error: "must be a whole number between 0 and 1000000" })
  .min(0, { error: "must be a whole number between 0 and 1000000" })
  .max(1_000_000, { error: "must be a whole number between 0 and 1000000" })
  .describe(
    "What a hit costs the caller, in parts per million of what the original answer was billed: 0 free, " +
      "1000000 full price.",
  );
const maxTemperatureField = z
  .number({ error: "must be a number between 0 and 2" })
  .min(0, { error: "must be a number between 0 and 2" })
  .max(2, { error: "must be a number between 0 and 2" })
  .describe(
    "A number from 0 to 2. Requests with a higher temperature are neither served from nor written to the cache. Default 1.0, the usual " +
      "provider default, so ordinary traffic is cached; lower it to keep creative answers out.",
  );

export const RouteCacheSchema = z
  .strictObject({
    mode: modeField.default(DEFAULT_CACHE.mode),
    exact: z
      .boolean()
      .default(DEFAULT_CACHE.exact)
      .describe("Exact-match lookup (hash of the normalised request), tried first."),
    semantic: z
      .boolean()
      .default(DEFAULT_CACHE.semantic)
      .describe("Nearest-neighbour lookup after an exact miss, for paraphrased prompts. Needs `embedder`."),
    threshold: thresholdField.optional(),
    ttl_s: ttlField.default(DEFAULT_CACHE.ttl_s),
    max_entries: maxEntriesField.default(DEFAULT_CACHE.max_entries),
    hit_price_ppm: hitPriceField.default(DEFAULT_CACHE.hit_price_ppm),
    max_temperature: maxTemperatureField.default(DEFAULT_CACHE.max_temperature),
    cache_tool_calls: z
      .boolean()
      .default(DEFAULT_CACHE.cache_tool_calls)
      .describe("Whether answers that call tools may be cached (off: tool calls usually depend on live data)."),
    embedder: EmbedderSchema.optional(),
  })
  .superRefine((cache, ctx) => {
    if (cache.semantic && cache.embedder === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["semantic"],
        message:
          'needs an embedder, e.g. `embedder: { model: <embeddings alias> }` or `embedder: { workers_ai: "@cf/baai/bge-base-en-v1.5" }`',
      });
    }
  })
  .describe(
    "Response cache for chat requests on this route, partitioned per tenant (one tenant never sees another's " +
      "answers). Off unless `mode` says otherwise.",
  );

export const CacheOverrideSchema = z
  .strictObject({
    mode: modeField.optional(),
    exact: z.boolean().optional().describe("Overrides the route's `exact`."),
    semantic: z
      .boolean()
      .optional()
      .describe("Overrides the route's `semantic`; turning it on needs an embedder here or on every route."),
    threshold: thresholdField.optional(),
    ttl_s: ttlField.optional(),
    max_entries: maxEntriesField.optional(),
    hit_price_ppm: hitPriceField.optional(),
    max_temperature: maxTemperatureField.optional(),
    cache_tool_calls: z.boolean().optional().describe("Overrides the route's `cache_tool_calls`."),
    embedder: EmbedderSchema.optional(),
  })
  .describe(
    "Cache settings that override those of every route this applies to; fields left out keep the route's value. On " +
      "a tenant, each field also overrides the plan's.",
  );

export type EmbedderValue = z.output<typeof EmbedderSchema>;
