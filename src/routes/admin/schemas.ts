import { z } from "zod";
import { instant, pageLimit, text } from "./parse";

/** Request shapes of the admin API. Strict: an unknown field is a 400, so a misspelt option is never ignored. */

/** Largest single credit movement: 1e9 credits, far below 2^53 so balances stay exact integers. */
export const MAX_CREDIT_AMOUNT = 1_000_000_000_000_000;

const label = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, "must be 1-64 of A-Z a-z 0-9 _ . : - (not starting with a symbol)");

export const TenantId = z.string().min(1).max(128);

export const CreateKeyBody = z.strictObject({
  tenant: TenantId,
  name: text(1, 128).optional(),
  expires_at: instant.optional(),
  routes: z.array(z.string().min(1).max(128)).min(1).max(64).optional(),
  scopes: z.array(label).max(32).optional(),
  tags: z.array(label).max(32).optional(),
});
export type CreateKeyBody = z.output<typeof CreateKeyBody>;

const CreditFields = {
  amount: z
    .number()
    .int("must be an integer number of micro-credits")
    .refine((n) => n !== 0, "must not be zero")
    .refine((n) => Math.abs(n) <= MAX_CREDIT_AMOUNT, `must be at most ${MAX_CREDIT_AMOUNT} in absolute value`),
  /** The idempotency reference: a second call with the same reference changes nothing. */
  reference: text(1, 128),
  type: z.enum(["topup", "adjust"]),
};

function topupIsPositive(body: { amount: number; type: "topup" | "adjust" }, ctx: z.core.$RefinementCtx): void {
  if (body.type === "topup" && body.amount < 0) {
    ctx.addIssue({
      code: "custom",
      path: ["amount"],
      message: 'a topup must be positive; use type "adjust" to remove credits',
    });
  }
}

export const CreditBody = z.strictObject(CreditFields).superRefine(topupIsPositive);
export type CreditBody = z.output<typeof CreditBody>;

export const AccountCreditBody = z.strictObject({ tenant: TenantId, ...CreditFields }).superRefine(topupIsPositive);

export const TenantQuery = z.strictObject({ tenant: TenantId });

export const EntriesQuery = z.strictObject({
  limit: pageLimit,
  before_seq: z
    .string()
    .regex(/^\d{1,16}$/, "must be a positive integer")
    .transform(Number)
    .pipe(z.number().int().min(1).max(Number.MAX_SAFE_INTEGER))
    .optional(),
});

export const AccountEntriesQuery = EntriesQuery.extend({ tenant: TenantId });

const cursor = z.string().min(1).max(100).optional();

export const UsageQuery = z.strictObject({
  tenant: TenantId,
  key_id: z.string().min(1).max(300).optional(),
  since: instant.optional(),
  until: instant.optional(),
  limit: pageLimit,
  cursor,
});

/** The tenant API's usage query: no tenant or key (both come from the credential). */
export const OwnUsageQuery = z.strictObject({
  since: instant.optional(),
  until: instant.optional(),
  limit: pageLimit,
  cursor,
});

/** NDJSON export of a time range (both bounds required, so an export is always a deliberate range). */
export const UsageExportQuery = z.strictObject({
  tenant: TenantId,
  key_id: z.string().min(1).max(300).optional(),
  from: instant,
  to: instant,
});
export const OwnUsageExportQuery = UsageExportQuery.omit({ tenant: true, key_id: true });
