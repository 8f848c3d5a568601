import { z } from "zod";
import type { CacheDecisionConfig } from "./config";
import { DEFAULT_CACHE_DECISION } from "./defaults";
import { VETO_NAMES } from "./vetoes";

const VetoNameSchema = z.enum(VETO_NAMES);

/**
 * The decision config as a policy file may write it; every field defaults to the shipped decision, so a policy can
 * override just the threshold. Out-of-range values are refused, not clamped.
 */
export const CacheDecisionConfigSchema = z
  .object({
    threshold: z.number().min(-2).max(2).default(DEFAULT_CACHE_DECISION.threshold),
    min_cosine: z.number().min(-1).max(1).default(DEFAULT_CACHE_DECISION.minCosine),
    vetoes: z
      .array(VetoNameSchema)
      .refine((names) => new Set(names).size === names.length, "vetoes must not repeat")
      .default([...DEFAULT_CACHE_DECISION.vetoes]),
    penalties: z
      .partialRecord(VetoNameSchema, z.number().min(0).max(2))
      .default({ ...DEFAULT_CACHE_DECISION.penalties }),
    blend: z
      .object({
        overlap: z.number().min(0).max(1).default(DEFAULT_CACHE_DECISION.blend.overlap),
        length: z.number().min(0).max(1).default(DEFAULT_CACHE_DECISION.blend.length),
      })
      .strict()
      .default({ ...DEFAULT_CACHE_DECISION.blend }),
  })
  .strict()
  .transform(
    (c): CacheDecisionConfig => ({
      threshold: c.threshold,
      minCosine: c.min_cosine,
      vetoes: c.vetoes,
      penalties: c.penalties,
      blend: c.blend,
    }),
  );
