import type { Context } from "hono";
import type { AppEnv } from "../context";
import { GatewayError } from "../errors";
import { InvalidCursorError, type UsagePage, type UsagePageQuery } from "../ledger/types";
import { list, usageJson } from "./admin/serialize";
import { fromStore } from "./admin/store";

const PAGE = 100;
const EXPORT_PAGE = 1000;

/** One page through the cursor pager (or, in wirings without one, the newest events through Ledger.usage). */
export async function usagePage(c: Context<AppEnv>, tenantId: string, q: UsagePageQuery): Promise<UsagePage> {
  const { usagePages, ledger } = c.var.services;
  if (q.from !== undefined && q.to !== undefined && q.from >= q.to) {
    throw new GatewayError("invalid_request", "since must be before until.", { param: "since" });
  }
  try {
    if (usagePages !== undefined) return await fromStore(() => usagePages.page(tenantId, q));
  } catch (err) {
    if (err instanceof InvalidCursorError) {
      throw new GatewayError("invalid_request", "cursor is not one this API returned.", { param: "cursor" });
    }
    throw err;
  }
  const opts: { limit: number; keyId?: string; since?: number } = { limit: q.limit };
  if (q.keyId !== undefined) opts.keyId = q.keyId;
  if (q.from !== undefined) opts.since = q.from;
  const events = await fromStore(() => ledger.usage(tenantId, opts));
  return { events: events.filter((e) => q.to === undefined || e.at < q.to) };
}

export function pageQuery(q: {
  limit?: number | undefined;
  cursor?: string | undefined;
  since?: number | undefined;
  until?: number | undefined;
}): UsagePageQuery {
  const out: UsagePageQuery = { limit: q.limit ?? PAGE };
  if (q.cursor !== undefined) out.cursor = q.cursor;
  if (q.since !== undefined) out.from = q.since;
  if (q.until !== undefined) out.to = q.until;
  return out;
}

/** `{object: "list", data, has_more, next_cursor}`: pass next_cursor back as `cursor` for the next page. */
export function pageJson(page: UsagePage) {
  return { ...list(page.events.map(usageJson)), has_more: page.next !== undefined, next_cursor: page.next ?? null };
}

/**
 * Every usage event of a time range as NDJSON (one `usage_event` object per line, newest first), streamed page by
 * page, so an export of any size runs in constant memory. A store failure mid-export ends the body early with a
 * last line `{"object":"error",...}`, so a consumer can tell a cut export from a complete one.
 */
export function ndjsonExport(c: Context<AppEnv>, tenantId: string, base: UsagePageQuery, filename: string) {
  const encoder = new TextEncoder();
  let cursor: string | undefined;
  let done = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (done) return controller.close();
      try {
        const page = await usagePage(c, tenantId, { ...base, limit: EXPORT_PAGE, ...(cursor ? { cursor } : {}) });
        const lines = page.events.map((e) => `${JSON.stringify(usageJson(e))}\n`).join("");
        if (lines !== "") controller.enqueue(encoder.encode(lines));
        cursor = page.next;
        done = cursor === undefined || c.var.services.usagePages === undefined;
      } catch (err) {
        console.error(`[${c.var.requestId}] usage export cut short`, err);
        const line = { object: "error", code: "store_unavailable", message: "export cut short; retry the range" };
        controller.enqueue(encoder.encode(`${JSON.stringify(line)}\n`));
        done = true;
      }
    },
  });
  return new Response(body, {
    headers: {
      "content-type": "application/x-ndjson",
      "content-disposition": `attachment; filename="${filename}"`,
      "x-request-id": c.var.requestId,
    },
  });
}
