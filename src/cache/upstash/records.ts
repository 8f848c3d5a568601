import { z } from "zod";
import type { CacheEntry } from "../types";

/**
 * How an entry is laid out in Upstash Vector. Metadata holds the small, filterable facts (searched on every
 * lookup, read for LRU scans); `data` holds the prompt and the answer, read only for the few candidates a lookup
 * returns. `sem` is 0 for exact-only entries, whose vector is a placeholder that must never match a search.
 */
export interface EntryMetadata {
  [key: string]: unknown;
  scope: string;
  model: string;
  cost: number;
  created: number;
  exp: number;
  used: number;
  sem: 0 | 1;
}

const MetadataSchema = z.looseObject({
  scope: z.string(),
  model: z.string(),
  cost: z.number().int().nonnegative(),
  created: z.number(),
  exp: z.number(),
  used: z.number(),
  sem: z.union([z.literal(0), z.literal(1)]),
});

const DataSchema = z.object({ prompt: z.string(), answer: z.string() });

export function entryMetadata(entry: CacheEntry, semantic: boolean, now: number): EntryMetadata {
  return {
    scope: entry.scope,
    model: entry.model,
    cost: entry.cost,
    created: entry.createdAt,
    exp: entry.expiresAt,
    used: now,
    sem: semantic ? 1 : 0,
  };
}

export function entryData(entry: CacheEntry): string {
  return JSON.stringify({ prompt: entry.prompt, answer: entry.answer });
}

/** Parses a stored record; undefined for anything that is not a well-formed entry (never trusted blindly). */
export function entryFromRecord(id: string, metadata: unknown, data: unknown): CacheEntry | undefined {
  const meta = MetadataSchema.safeParse(metadata);
  if (!meta.success || typeof data !== "string") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return undefined;
  }
  const body = DataSchema.safeParse(parsed);
  if (!body.success) return undefined;
  return {
    id,
    scope: meta.data.scope,
    model: meta.data.model,
    prompt: body.data.prompt,
    answer: body.data.answer,
    cost: meta.data.cost,
    createdAt: meta.data.created,
    expiresAt: meta.data.exp,
  };
}

export function usedAt(metadata: unknown): number {
  const used = (metadata as { used?: unknown } | undefined)?.used;
  return typeof used === "number" ? used : 0;
}
