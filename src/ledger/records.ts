import { z } from "zod";

import type {
  KeyRecord,
  LedgerEntry,
  RoutingInputs,
  RoutingRecord,
  StoredResponse,
  ToolAudit,
  UsageEvent,
} from "./types";

/**
 * Schemas for the records the ledger stores as JSON text (SQLite rows, Redis values) and reads back: a stored record
 * is decoded, never cast, so a corrupt or foreign value is an error with its name rather than a wrong answer.
 * Objects are loose: a record written by a newer version (an added optional field) still reads.
 */

const count = z.number().int();
const isObject = (v: unknown): boolean => typeof v === "object" && v !== null && !Array.isArray(v);
const strings = z.array(z.string());

export const StoredResponseSchema = z.object({
  status: count,
  headers: z.record(z.string(), z.string()),
  body: z.string(),
}) satisfies z.ZodType<StoredResponse>;

export const KeyRecordSchema = z.looseObject({
  keyId: z.string(),
  tenantId: z.string(),
  hash: z.string(),
  prefix: z.string(),
  name: z.string().optional(),
  createdAt: z.number(),
  expiresAt: z.number().optional(),
  revokedAt: z.number().optional(),
  routes: strings.optional(),
  scopes: strings.optional(),
  tags: strings.optional(),
}) satisfies z.ZodType<KeyRecord>;

export const LedgerEntrySchema = z.looseObject({
  seq: count,
  at: z.number(),
  type: z.enum(["topup", "adjust", "reserve", "settle", "void", "expire"]),
  requestId: z.string().optional(),
  amount: count,
  charged: count.optional(),
  balanceAfter: count,
  flags: strings.optional(),
  reference: z.string().optional(),
}) satisfies z.ZodType<LedgerEntry>;

export const UsageEventSchema = z.looseObject({
  requestId: z.string(),
  at: z.number(),
  tenantId: z.string(),
  keyId: z.string(),
  taskId: z.string().optional(),
  feature: z.string().optional(),
  route: z.string().optional(),
  model: z.string().optional(),
  provider: z.string().optional(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  cost: count,
  cache: z.enum(["hit", "miss", "bypass", "shadow", "none"]),
  latencyMs: z.number(),
  status: count,
  policyVersion: z.string(),
  flags: strings,
  // Nested records written by the tool and routing layers: checked to be objects, their fields read where used.
  tool: z.custom<ToolAudit>(isObject).optional(),
  attempts: count.optional(),
  fallback: z.boolean().optional(),
  cachedTokens: count.optional(),
  routing: z.custom<RoutingRecord>(isObject).optional(),
  routingInputs: z.custom<RoutingInputs>(isObject).optional(),
  mode: z.literal("batch").optional(),
}) satisfies z.ZodType<UsageEvent>;

export const FlagsSchema = strings;
