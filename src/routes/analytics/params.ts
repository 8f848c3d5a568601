import { z } from "zod";
import type { Filters } from "../../analytics/aggregate";
import { bucketCount, MAX_REPORT_BUCKETS, type ReportParams } from "../../analytics/report";
import { DIMENSIONS, type Dimension, INTERVAL_MS, type Interval } from "../../analytics/types";
import { GatewayError } from "../../errors";
import { instant, parseWith } from "../admin/parse";

const DEFAULT_SPAN: Record<Interval, number> = {
  minute: 60 * INTERVAL_MS.minute,
  hour: 24 * INTERVAL_MS.hour,
  day: 30 * INTERVAL_MS.day,
};

const list = z
  .string()
  .max(2000)
  .transform((s) => s.split(","))
  .pipe(z.array(z.string().min(0).max(256)).min(1).max(50));

const groupBy = z
  .string()
  .transform((s) => s.split(","))
  .pipe(z.array(z.enum(DIMENSIONS, { message: `each must be one of ${DIMENSIONS.join(", ")}` })).max(5));

export const AnalyticsQuery = z.strictObject({
  interval: z.enum(["minute", "hour", "day"]).default("hour"),
  from: instant.optional(),
  to: instant.optional(),
  group_by: groupBy.optional(),
  format: z.enum(["json", "csv"]).default("json"),
  feature: list.optional(),
  route: list.optional(),
  model: list.optional(),
  provider: list.optional(),
  key: list.optional(),
  /** Admin only: the tenant (the /v1 handler refuses it as an unknown field). */
  tenant: z.string().min(1).max(128).optional(),
});

export type AnalyticsQueryParams = z.output<typeof AnalyticsQuery>;

/** Query string -> report parameters; a range past MAX_REPORT_BUCKETS or backwards is a 400, never clamped. */
export function reportParams(query: Record<string, string>, now: number, allowTenant: boolean) {
  const q = parseWith(allowTenant ? AnalyticsQuery : AnalyticsQuery.omit({ tenant: true }), query);
  const to = q.to ?? now;
  const from = q.from ?? to - DEFAULT_SPAN[q.interval];
  if (from >= to) throw new GatewayError("invalid_request", "from must be before to.", { param: "from" });
  const buckets = bucketCount(q.interval, from, to);
  if (buckets > MAX_REPORT_BUCKETS) {
    throw new GatewayError(
      "invalid_request",
      `The range spans ${buckets} ${q.interval} buckets; at most ${MAX_REPORT_BUCKETS}: use a larger interval or a shorter range.`,
      { param: "interval" },
    );
  }
  const filters: Filters = {};
  for (const d of DIMENSIONS) {
    const values = q[d];
    if (values !== undefined) filters[d] = values;
  }
  const params: ReportParams = {
    interval: q.interval,
    from,
    to,
    groupBy: [...new Set(q.group_by ?? [])] as Dimension[],
    filters,
  };
  return { params, format: q.format, tenant: "tenant" in q ? (q.tenant as string | undefined) : undefined };
}
