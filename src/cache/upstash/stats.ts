import type { Index } from "@upstash/vector/cloudflare";
import { decodeStored } from "../../storage/decode";
import { ShadowRecordSchema } from "../shadow-record";
import { type CacheCounter, SHADOW_LOG_LIMIT, type ShadowRecord } from "../types";

/**
 * Counters and the shadow log in Upstash Vector, which has no atomic increment. Each isolate counts in memory and
 * writes ABSOLUTE counts to a record only it writes: `s:<day>:<shard>` (shard = random per isolate and store, day =
 * UTC day of the count). Writes never race, so nothing is lost; a failed write is repaired by the next one, which
 * carries the same totals. A day's shards are merged into `d:<day>` once the day is over (plus an hour for late
 * writes): merging writes the sum first and deletes the shards after, and a merger that finds `d:<day>` already
 * written leaves it alone, so concurrent mergers agree and nothing is counted twice. Reads sum the merged days and the
 * shards of unmerged days; a read that runs while a merge is half done can under-count for that moment, never
 * over-count.
 *
 * Shadow observations are `w:<inverted time>:<uuid>` records (newest first in id order), trimmed to the last
 * SHADOW_LOG_LIMIT after each write.
 */

type Namespace = ReturnType<Index["namespace"]>;
type Counts = Record<CacheCounter, number>;

const DAY_MS = 86_400_000;
const MERGE_GRACE_MS = 3_600_000;
const COUNTERS: readonly CacheCounter[] = ["hit", "miss", "shadow", "bypass"];
const MAX_TIME = 9_999_999_999_999;
const PAGE = 1000;

const zero = (): Counts => ({ hit: 0, miss: 0, shadow: 0, bypass: 0 });
const dayOf = (now: number) => Math.floor(now / DAY_MS);
const dayKey = (day: number) => String(day).padStart(6, "0");

function countsOf(metadata: unknown): Counts {
  const out = zero();
  const m = (metadata ?? {}) as Record<string, unknown>;
  for (const c of COUNTERS) {
    const v = m[c];
    if (typeof v === "number" && Number.isSafeInteger(v) && v > 0) out[c] = v;
  }
  return out;
}

function add(into: Counts, from: Counts): void {
  for (const c of COUNTERS) into[c] += from[c];
}

/** Every record under `prefix`, following range cursors. */
export async function rangeAll(ns: Namespace, prefix: string, data = false) {
  const scope = prefix === "" ? {} : { prefix };
  const out: { id: string; metadata?: unknown; data?: string }[] = [];
  let cursor: string | number = 0;
  for (;;) {
    const page: { nextCursor: string; vectors: { id: string | number; metadata?: unknown; data?: string }[] } =
      await ns.range({ cursor, limit: PAGE, ...scope, includeMetadata: true, includeData: data });
    for (const v of page.vectors) out.push({ id: String(v.id), metadata: v.metadata, data: v.data });
    // Upstash ends a scan with an empty cursor ("0" in some versions, which would restart it).
    if (page.nextCursor === "" || page.nextCursor === "0" || page.vectors.length === 0) return out;
    cursor = page.nextCursor;
  }
}

/** One isolate's counters for one tenant, written as its own shard record per day. */
export class ShardCounters {
  private readonly byDay = new Map<number, Counts>();
  /** Days whose totals changed since they were last written. */
  private readonly dirty = new Set<number>();
  private queued: Promise<void> | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly ns: Namespace,
    private readonly shard: () => string,
    private readonly placeholder: () => Promise<number[]>,
  ) {}

  /** Counts one event and resolves once a write carrying it has landed (or failed). */
  count(counter: CacheCounter, now: number): Promise<void> {
    const day = dayOf(now);
    let counts = this.byDay.get(day);
    if (counts === undefined) {
      counts = zero();
      this.byDay.set(day, counts);
      // Older days are final once written; only a day still waiting for its write is kept.
      for (const d of this.byDay.keys()) if (d < day && !this.dirty.has(d)) this.byDay.delete(d);
    }
    counts[counter] += 1;
    this.dirty.add(day);
    return this.schedule();
  }

  /**
   * Writes run one at a time, each with the totals of its start; counts made meanwhile share the next write. A
   * failed write marks its days dirty again, so the next one carries them.
   */
  private schedule(): Promise<void> {
    if (this.queued !== undefined) return this.queued;
    const write = this.chain.then(async () => {
      this.queued = undefined;
      const days = [...this.dirty];
      this.dirty.clear();
      try {
        const vector = await this.placeholder();
        const records = days.map((day) => ({
          id: `s:${dayKey(day)}:${this.shard()}`,
          vector,
          metadata: { day, ...(this.byDay.get(day) ?? zero()) },
        }));
        if (records.length > 0) await this.ns.upsert(records);
      } catch (err) {
        for (const day of days) this.dirty.add(day);
        throw err;
      }
    });
    this.queued = write;
    this.chain = write.catch(() => undefined);
    return write;
  }
}

export async function readCounts(ns: Namespace, now: number, placeholder: () => Promise<number[]>): Promise<Counts> {
  const merged = await rangeAll(ns, "d:");
  const shards = await rangeAll(ns, "s:");
  const mergedDays = new Set<string>();
  const total = zero();
  for (const r of merged) {
    mergedDays.add(r.id.slice(2));
    add(total, countsOf(r.metadata));
  }
  const closed = new Map<string, typeof shards>();
  for (const r of shards) {
    const day = r.id.slice(2, r.id.indexOf(":", 2));
    if (mergedDays.has(day)) continue;
    add(total, countsOf(r.metadata));
    if ((Number(day) + 1) * DAY_MS + MERGE_GRACE_MS <= now) closed.set(day, [...(closed.get(day) ?? []), r]);
  }
  for (const [day, records] of closed) await mergeDay(ns, day, records, placeholder);
  return total;
}

/** Sum first, delete after; an existing merge is never rewritten (see the header). */
async function mergeDay(
  ns: Namespace,
  day: string,
  shards: { id: string; metadata?: unknown }[],
  placeholder: () => Promise<number[]>,
): Promise<void> {
  const [existing] = await ns.fetch([`d:${day}`]);
  if (existing == null) {
    const sum = zero();
    for (const s of shards) add(sum, countsOf(s.metadata));
    await ns.upsert({ id: `d:${day}`, vector: await placeholder(), metadata: { day: Number(day), ...sum } });
  }
  await ns.delete(shards.map((s) => s.id));
}

export async function appendShadow(ns: Namespace, record: ShadowRecord, vector: number[]): Promise<void> {
  const id = `w:${String(MAX_TIME - record.at).padStart(13, "0")}:${crypto.randomUUID()}`;
  const upsert = { id, vector, metadata: { at: record.at }, data: JSON.stringify(record) };
  await ns.upsert(upsert as Parameters<Namespace["upsert"]>[0]);
  const all = await rangeAll(ns, "w:");
  const stale = all.slice(SHADOW_LOG_LIMIT).map((r) => r.id);
  if (stale.length > 0) await ns.delete(stale);
}

export async function readShadow(ns: Namespace): Promise<ShadowRecord[]> {
  const records = await rangeAll(ns, "w:", true);
  const out: ShadowRecord[] = [];
  for (const r of records.slice(0, SHADOW_LOG_LIMIT)) {
    if (typeof r.data !== "string") continue;
    try {
      out.push(decodeStored(ShadowRecordSchema, r.data, "shadow record"));
    } catch {
      // A record we cannot read is skipped; the log is informational.
    }
  }
  return out;
}
