import { InvalidCursorError, type UsagePage, type UsagePageQuery, type UsagePager } from "../types";
import { callStore } from "./call";
import { shardName } from "./shards";
import type { TenantLedger } from "./tenant-ledger";
import {
  decodeShardCursor,
  encodeShardCursor,
  type MergedPosition,
  mergePages,
  type ShardPage,
  shardAfter,
} from "./usage-merge";

const CURSOR = /^d1\.(\d{1,16})\.(\d{1,16})$/;

type Stub = DurableObjectStub<TenantLedger>;
type Position = { at: number; id: number };

/**
 * Usage pages from the tenant's objects: newest first by (at, id); one object's cursor is its last event's (at, id).
 * A sharded tenant (`shards` > 1) is read from every shard at once and merged (usage-merge.ts); its cursor is the
 * last event's place in the merged order (time, shard, id), so it stays valid while new events arrive in any shard. A key's listing reads every shard
 * too: its standalone records (Ledger.record) are placed by request id.
 */
export function createDurableObjectUsagePager(
  tenants: DurableObjectNamespace<TenantLedger>,
  shards: (tenantId: string) => number = () => 1,
): UsagePager {
  const stub = (name: string): Stub => tenants.get(tenants.idFromName(name));
  return {
    async page(tenantId, q) {
      const n = shards(tenantId);
      if (n === 1) return onePage(stub(tenantId), q);
      return mergedPage(tenantId, n, q, stub);
    },
  };
}

async function onePage(object: Stub, q: UsagePageQuery): Promise<UsagePage> {
  let after: Position | undefined;
  if (q.cursor !== undefined) {
    const m = CURSOR.exec(q.cursor);
    if (m === null) throw new InvalidCursorError();
    after = { at: Number(m[1]), id: Number(m[2]) };
  }
  const query = { limit: q.limit, ...withDefined({ keyId: q.keyId, from: q.from, to: q.to, after }) };
  const found = await callStore("usagePage", async () => await object.usagePage(query), { idempotent: true });
  return found.last === undefined
    ? { events: found.events }
    : { events: found.events, next: `d1.${found.last.at}.${found.last.id}` };
}

async function mergedPage(
  tenantId: string,
  n: number,
  q: UsagePageQuery,
  stub: (name: string) => Stub,
): Promise<UsagePage> {
  let from: MergedPosition | undefined;
  if (q.cursor !== undefined) {
    from = decodeShardCursor(q.cursor, n);
    if (from === undefined) throw new InvalidCursorError();
  }
  const pages = await Promise.all(
    Array.from({ length: n }, async (_, i): Promise<ShardPage> => {
      const after = from === undefined ? undefined : shardAfter(from, i);
      const query = { limit: q.limit, ...withDefined({ keyId: q.keyId, from: q.from, to: q.to, after }) };
      const object = stub(shardName(tenantId, i));
      const found = await callStore("usagePage", async () => await object.usagePage(query), { idempotent: true });
      const events = found.events.map((event, k) => {
        const [at, id] = found.marks[k] ?? [];
        if (at === undefined || id === undefined) throw new Error("usage page: an event without its position");
        return { event, at, id };
      });
      return { events, more: found.last !== undefined };
    }),
  );
  const merged = mergePages(pages, q.limit);
  return merged.last === undefined
    ? { events: merged.events }
    : { events: merged.events, next: encodeShardCursor(n, merged.last) };
}

function withDefined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
