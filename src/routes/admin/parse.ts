import { z } from "zod";
import { GatewayError } from "../../errors";
import { firstProblem } from "../../formats/openai/issues";
import { jsonBody } from "../../middleware/body";

/**
 * Parsing for the admin and tenant APIs: a failed check is a 400 `invalid_request` naming the field, never a silent
 * default or clamp. Query parameters arrive as strings, so their schemas accept strings and convert.
 */

function invalid(error: z.ZodError): GatewayError {
  const first = error.issues[0];
  // A strict object reports unknown fields at the object itself; name the field, so a typo is easy to spot.
  if (first?.code === "unrecognized_keys" && first.path.length === 0 && first.keys[0] !== undefined) {
    const key = first.keys[0];
    return new GatewayError("invalid_request", `Unknown field '${key}'.`, { param: key });
  }
  const { message, param } = firstProblem(error);
  return new GatewayError("invalid_request", message, { param: param === "" ? null : param });
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw invalid(result.error);
  return result.data;
}

/** The JSON body read (size-limited) by the body middleware, checked against `schema`. */
export function parseJsonBody<S extends z.ZodType>(
  schema: S,
  rawBody: string | undefined,
  contentType: string | undefined,
): z.output<S> {
  return parseWith(schema, jsonBody(rawBody ?? "", contentType));
}

/** Latest instant we accept (year 9999), so every timestamp stays a safe integer and a valid Date. */
const MAX_TIME_MS = 253_402_300_799_999;
const DIGITS = /^\d{1,16}$/;

/** Epoch milliseconds from an integer, a string of digits, or an ISO 8601 date-time with a zone (`Z` or offset). */
export const instant = z.union([z.number(), z.string()]).transform((value, ctx): number => {
  let ms: number;
  if (typeof value === "number") ms = value;
  else if (DIGITS.test(value)) ms = Number(value);
  else if (z.iso.datetime({ offset: true }).safeParse(value).success) ms = Date.parse(value);
  else ms = Number.NaN;
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > MAX_TIME_MS) {
    ctx.addIssue({
      code: "custom",
      message: "must be epoch milliseconds or an ISO 8601 date-time with a zone (e.g. 2026-01-31T00:00:00Z)",
    });
    return z.NEVER;
  }
  return ms;
});

/** A page size from the query string: an integer 1-1000 (default 100, the ledger's own default). */
export const pageLimit = z
  .string()
  .regex(/^\d{1,4}$/, "must be an integer from 1 to 1000")
  .transform(Number)
  .pipe(z.number().int().min(1, "must be an integer from 1 to 1000").max(1000, "must be an integer from 1 to 1000"))
  .optional();

/** Printable text: no control characters, which would corrupt logs and terminals that display it. */
export function text(min: number, max: number) {
  return z
    .string()
    .min(min)
    .max(max)
    .regex(/^[^\p{Cc}]*$/u, "must not contain control characters");
}
