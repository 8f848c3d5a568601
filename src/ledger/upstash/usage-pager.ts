import type { Redis } from "@upstash/redis/cloudflare";
import { InvalidCursorError, type UsageEvent, type UsagePager } from "../types";
import { guarded } from "./client";
import type { LedgerKeys } from "./keys";

const CURSOR = /^u1\.(\d{1,16})$/;
/** Events are listed in write order while `at` is the request's start: a write lags its `at` by at most this. */
const ORDER_SLACK_MS = 60 * 60 * 1000;
/** List items one call reads at most, so a page of a narrow range never scans the whole list. */
const SCAN = 1000;

/**
 * Usage pages from the newest-first lists (LPUSH). The cursor counts the items older than the next one to read —
 * a position from the list's tail, which new events (pushed at the head) never move.
 */
export function createUpstashUsagePager(redis: Redis, k: LedgerKeys): UsagePager {
  return {
    async page(tenantId, q) {
      const list = q.keyId === undefined ? k.tenantUsage(tenantId) : k.keyUsage(q.keyId);
      let older: number;
      if (q.cursor === undefined) older = await guarded("usagePage", () => redis.llen(list));
      else {
        const m = CURSOR.exec(q.cursor);
        if (m === null) throw new InvalidCursorError();
        older = Number(m[1]);
      }
      const events: UsageEvent[] = [];
      let scanned = 0;
      while (older > 0 && events.length < q.limit && scanned < SCAN) {
        const n = Math.min(q.limit - events.length, SCAN - scanned, older);
        // Ranks from the tail: [older - n, older - 1], read newest first.
        const chunk = await guarded("usagePage", () => redis.lrange<string>(list, -older, -(older - n + 1)));
        older -= n;
        scanned += n;
        for (const text of chunk) {
          const event = JSON.parse(String(text)) as UsageEvent;
          if (q.from !== undefined && event.at < q.from - ORDER_SLACK_MS) return { events };
          if (event.tenantId !== tenantId) continue;
          if ((q.from !== undefined && event.at < q.from) || (q.to !== undefined && event.at >= q.to)) continue;
          events.push(event);
        }
      }
      return older > 0 ? { events, next: `u1.${older}` } : { events };
    },
  };
}
