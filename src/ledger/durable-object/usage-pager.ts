import { InvalidCursorError, type UsagePager } from "../types";
import { callStore } from "./call";
import type { TenantLedger } from "./tenant-ledger";

const CURSOR = /^d1\.(\d{1,16})\.(\d{1,16})$/;

/** Usage pages from the tenant's object: newest first by (at, id); the cursor is the last event's (at, id). */
export function createDurableObjectUsagePager(tenants: DurableObjectNamespace<TenantLedger>): UsagePager {
  return {
    async page(tenantId, q) {
      let after: { at: number; id: number } | undefined;
      if (q.cursor !== undefined) {
        const m = CURSOR.exec(q.cursor);
        if (m === null) throw new InvalidCursorError();
        after = { at: Number(m[1]), id: Number(m[2]) };
      }
      const query = { limit: q.limit, ...withDefined({ keyId: q.keyId, from: q.from, to: q.to, after }) };
      const stub = tenants.get(tenants.idFromName(tenantId));
      const found = await callStore("usagePage", async () => await stub.usagePage(query), { idempotent: true });
      return found.last === undefined
        ? { events: found.events }
        : { events: found.events, next: `d1.${found.last.at}.${found.last.id}` };
    },
  };
}

function withDefined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
