import { z } from "zod";
import { DEFAULT_CREDITS, DEFAULT_TASK_TTL_S } from "./defaults";

/**
 * Limits, task budgets and credit settings. Each may be written on a plan and on a tenant; the compiler resolves
 * them field by field (tenant, else plan, else default), so no default is applied here: a default written by zod
 * on the tenant would silently override the plan's value.
 */

function bounded(min: number, max: number, unit: string) {
  const error = `must be a whole number between ${min} and ${max}${unit === "" ? "" : ` (${unit})`}`;
  return z.int({ error }).min(min, { error }).max(max, { error });
}

const RateLimitSchema = z
  .strictObject({
    requests_per_minute: bounded(1, 1_000_000, "")
      .optional()
      .describe("Requests per rolling minute. Absent: unlimited (or the plan's value, on a tenant)."),
    tokens_per_minute: bounded(1, 10_000_000_000, "")
      .optional()
      .describe(
        "Tokens per rolling minute: the prompt estimate plus the output tokens reserved for each request. " +
          "Absent: unlimited (or the plan's value, on a tenant).",
      ),
  })
  .describe("Per-minute limits. Exceeding one answers 429 with `Retry-After`.");

export const LimitsSchema = z
  .strictObject({
    key: RateLimitSchema.optional().describe(
      "Limits for each API key (or, for JWT callers, each end user) separately.",
    ),
    tenant: RateLimitSchema.optional().describe("Limits for all of the tenant's callers together."),
  })
  .describe(
    "Rate limits, checked atomically with the credit reservation. On a tenant, each field overrides the plan's.",
  );

export const TaskBudgetSchema = z
  .strictObject({
    max_calls: bounded(1, 1_000_000, "").optional().describe("Model calls one task may make."),
    max_tokens: bounded(1, 1_000_000_000_000, "").optional().describe("Tokens (input + output) one task may use."),
    max_cost: bounded(0, Number.MAX_SAFE_INTEGER, "micro-credits")
      .optional()
      .describe("Micro-credits one task may spend."),
    max_tool_calls: bounded(0, 1_000_000, "").optional().describe("Tool calls one task may make."),
    max_identical_calls: bounded(1, 10_000, "")
      .optional()
      .describe(
        "How many times one task may send the identical request (a runaway agent loop); the next one is stopped.",
      ),
    ttl_s: bounded(60, 604_800, "seconds, up to 7 days")
      .optional()
      .describe(`How long a task's counters live after its first request, in seconds. Default ${DEFAULT_TASK_TTL_S}.`),
  })
  .describe(
    "Budget shared by all requests that carry the same task id header, so one runaway agent task cannot spend " +
      "without bound. Absent fields are unlimited; on a tenant, each field overrides the plan's.",
  );

export const CreditsSchema = z
  .strictObject({
    hold_ttl_s: bounded(30, 86_400, "seconds")
      .optional()
      .describe(
        "Lifetime of a credit hold that was never settled (the isolate died mid-request); the sweeper then bills " +
          `it. Must exceed every route's deadline. Default ${DEFAULT_CREDITS.hold_ttl_s}.`,
      ),
    min_output_tokens: bounded(1, 65_536, "tokens")
      .optional()
      .describe(
        "When the balance cannot pay for the requested max_tokens, the gateway lowers max_tokens to what it can " +
          `pay for, down to this many; below it the request gets 402. Default ${DEFAULT_CREDITS.min_output_tokens}.`,
      ),
    idempotency_ttl_s: bounded(86_400, 2_592_000, "seconds, 1 to 30 days")
      .optional()
      .describe(
        `How long an Idempotency-Key and its response are kept. Default ${DEFAULT_CREDITS.idempotency_ttl_s} (24 h).`,
      ),
    overlap_admission: z
      .boolean()
      .optional()
      .describe(
        "Send the upstream call while the credit reservation is on its way to the ledger, instead of after it, so " +
          "the ledger's round trip hides behind the model's. Only for requests without an Idempotency-Key or task " +
          "id, from an account this isolate saw in the last 10 s with a balance of at least 20 times the request's " +
          "worst case and at least 10% of every rate limit left. The ledger still decides: a refused request's " +
          "upstream call is cancelled and nothing is billed (the provider may charge for the cancelled call). " +
          `Default ${DEFAULT_CREDITS.overlap_admission}.`,
      ),
    ledger_shards: bounded(1, 64, "")
      .optional()
      .describe(
        "Durable Object ledger only: spread the tenant's accounts over this many ledger objects, each key's account, " +
          "holds, idempotency records, key limits and task counters in the one chosen by a hash of its key id, so a " +
          "tenant can go past one object's throughput. Tenant-wide rate limits are then split into equal shares, one " +
          "per object (never exceeded; a busy object may refuse before the tenant total is reached), and must be at " +
          "least this number; a task's budget counts per key. Choose it before the tenant has balances: an object " +
          "holding accounts refuses calls made under another count (503) until the old value is restored. " +
          `Default ${DEFAULT_CREDITS.ledger_shards}.`,
      ),
  })
  .describe("Credit accounting settings. On a tenant, each field overrides the plan's.");
