import { z } from "zod";
import type { ShadowRecord } from "./types";

/** A shadow-log record as stored (SQLite row, Upstash value): decoded where it is read back, never cast. */
export const ShadowRecordSchema = z.looseObject({
  at: z.number(),
  requestId: z.string(),
  model: z.string(),
  kind: z.enum(["exact", "semantic"]),
  entryId: z.string(),
  entryAgeMs: z.number(),
  cosine: z.number(),
  score: z.number(),
  prompt: z.string(),
  entryPrompt: z.string(),
}) satisfies z.ZodType<ShadowRecord>;
