import type { Redis } from "@upstash/redis/cloudflare";
import { decodeStored } from "../../storage/decode";
import { UsageEventSchema } from "../records";
import type { UsageEvent } from "../types";
import { guarded } from "./client";
import type { LedgerKeys } from "./keys";

/**
 * Usage events, newest first. The lists are in write order (settle/void/expire time) while an event's `at` is the
 * request's own time, so `since` cannot stop at the first older event: it stops once events are older than
 * `since` by more than ORDER_SLACK_MS, the longest a request stays unresolved in practice (holds live minutes).
 */
const ORDER_SLACK_MS = 60 * 60 * 1000;
const CHUNK = 200;

export async function readUsage(
  redis: Redis,
  k: LedgerKeys,
  tenantId: string,
  opts: { limit: number; keyId?: string; since?: number },
): Promise<UsageEvent[]> {
  const list = opts.keyId === undefined ? k.tenantUsage(tenantId) : k.keyUsage(opts.keyId);
  const since = opts.since;
  const out: UsageEvent[] = [];
  for (let start = 0; ; start += CHUNK) {
    const chunk = await guarded("usage", () => redis.lrange<string>(list, start, start + CHUNK - 1));
    for (const text of chunk) {
      const event = decodeStored(UsageEventSchema, String(text), "usage event");
      if (since !== undefined && event.at < since - ORDER_SLACK_MS) return out;
      if (event.tenantId !== tenantId) continue;
      if (since !== undefined && event.at < since) continue;
      out.push(event);
      if (out.length >= opts.limit) return out;
    }
    if (chunk.length < CHUNK) return out;
  }
}
