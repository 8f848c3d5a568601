import type { UsageEvent } from "../types";

/**
 * Usage listings of a sharded tenant: each shard lists its own events newest first by (at, id); the tenant's order
 * is (at desc, shard asc, then the shard's own order), a total order that keeps every shard's order, so a merge
 * of each shard's first `limit` events holds the tenant's first `limit`.
 */
export function mergeUsage(lists: readonly UsageEvent[][], limit: number): UsageEvent[] {
  const tagged = lists.flatMap((events, shard) => events.map((event, rank) => ({ event, shard, rank })));
  tagged.sort((a, b) => b.event.at - a.event.at || a.shard - b.shard || a.rank - b.rank);
  return tagged.slice(0, limit).map((t) => t.event);
}

/** A place in a sharded tenant's listing: the last event given, by its time, shard and id in that shard. */
export interface MergedPosition {
  at: number;
  shard: number;
  id: number;
}

/** One shard's page as the object answers it (usage.ts pageUsage), with every event's own position. */
export interface ShardPage {
  events: { event: UsageEvent; at: number; id: number }[];
  /** Whether the shard has events past the ones given. */
  more: boolean;
}

/**
 * Where shard `shard` continues after `p` in the merged order (at desc, shard asc, id desc): a shard before p's
 * reads only older times, p's own shard continues after p's id, a later shard also reads p's time in full.
 */
export function shardAfter(p: MergedPosition, shard: number): { at: number; id: number } {
  if (shard < p.shard) return { at: p.at, id: 0 };
  if (shard === p.shard) return { at: p.at, id: p.id };
  return { at: p.at, id: Number.MAX_SAFE_INTEGER };
}

/**
 * The first `limit` events of the shards' pages (each read after `shardAfter` of the same position), and the position
 * of the last one when more may follow. Like one object's cursor, the position stays valid while events arrive.
 */
export function mergePages(
  pages: readonly ShardPage[],
  limit: number,
): { events: UsageEvent[]; last?: MergedPosition } {
  const tagged = pages.flatMap((page, shard) => page.events.map((e, rank) => ({ ...e, shard, rank })));
  tagged.sort((a, b) => b.at - a.at || a.shard - b.shard || a.rank - b.rank);
  const taken = tagged.slice(0, limit);
  const events = taken.map((t) => t.event);
  const more = tagged.length > limit || pages.some((p) => p.more);
  const last = taken.at(-1);
  return more && last !== undefined ? { events, last: { at: last.at, shard: last.shard, id: last.id } } : { events };
}

const CURSOR = /^d2\.(\d{1,3})\.(\d{1,16})\.(\d{1,3})\.(\d{1,16})$/;

/** `d2.<shards>.<at>.<shard>.<id>`: the shard count is part of it, so a cursor from another layout is refused. */
export function encodeShardCursor(n: number, p: MergedPosition): string {
  return `d2.${n}.${p.at}.${p.shard}.${p.id}`;
}

/** The position of a cursor issued for `n` shards, or undefined when it is not one. */
export function decodeShardCursor(cursor: string, n: number): MergedPosition | undefined {
  const m = CURSOR.exec(cursor);
  if (m === null || Number(m[1]) !== n) return undefined;
  const p = { at: Number(m[2]), shard: Number(m[3]), id: Number(m[4]) };
  return p.shard < n ? p : undefined;
}
