import type { Bindings } from "../config";
import { callStore } from "../durable-object/call";
import type { DrainReport } from "./drain";
import { opTarget } from "./op";
import type { SettlementOutbox } from "./settlement-outbox";
import type { LedgerBackendName, OutboxClient, OutboxItem, OutboxStatus, QueuedOp, SettlementOp } from "./types";

/** The outbox shard that owns a tenant's pending settlements. */
export function outboxName(tenantId: string): string {
  return `outbox:${tenantId}`;
}

export function outboxStub(
  ns: DurableObjectNamespace<SettlementOutbox>,
  tenantId: string,
): DurableObjectStub<SettlementOutbox> {
  return ns.get(ns.idFromName(outboxName(tenantId)));
}

export interface OutboxAdmin extends OutboxClient {
  pending(tenantId: string): Promise<OutboxStatus>;
  list(tenantId: string, limit?: number): Promise<OutboxItem[]>;
  flush(tenantId: string): Promise<DrainReport>;
}

/**
 * The Worker's handle on the outbox. `backend` is recorded with every op (the store its hold lives in); leave it out
 * to let the outbox use its own LEDGER_BACKEND. Enqueue is idempotent, so a lost reply is retried once; a failure
 * surfaces as StoreUnavailableError.
 */
export function createOutboxClient(
  ns: DurableObjectNamespace<SettlementOutbox>,
  opts: { backend?: LedgerBackendName; shards?: (tenantId: string) => number } = {},
): OutboxAdmin {
  const stub = (tenantId: string) => outboxStub(ns, tenantId);
  return {
    async enqueue(op: SettlementOp) {
      const { tenantId, requestId } = opTarget(op);
      const shards = opts.shards?.(tenantId) ?? 1;
      const queued: QueuedOp = { ...op };
      if (opts.backend !== undefined) queued.backend = opts.backend;
      if (shards > 1) queued.shards = shards;
      const result = await callStore("outbox.enqueue", async () => await stub(tenantId).enqueue(queued), {
        idempotent: true,
      });
      if (result.kind === "malformed") throw new TypeError(`[${requestId}] outbox: malformed ${op.kind} op`);
    },
    pending: (tenantId) => callStore("outbox.pending", () => stub(tenantId).pending(), { idempotent: true }),
    list: (tenantId, limit) => callStore("outbox.list", () => stub(tenantId).list(limit), { idempotent: true }),
    flush: (tenantId) => callStore("outbox.flush", () => stub(tenantId).flush(), { idempotent: true }),
  };
}

function isOutboxNamespace(value: unknown): value is DurableObjectNamespace<SettlementOutbox> {
  return typeof value === "object" && value !== null && "idFromName" in value && "get" in value;
}

/** The outbox when the Worker has the SETTLEMENT_OUTBOX binding, else undefined (settlement then has no fallback). */
export function outboxFromEnv(
  raw: Bindings,
  backend?: LedgerBackendName,
  shards?: (tenantId: string) => number,
): OutboxAdmin | undefined {
  const ns = raw.SETTLEMENT_OUTBOX;
  if (!isOutboxNamespace(ns)) return undefined;
  return createOutboxClient(ns, {
    ...(backend === undefined ? {} : { backend }),
    ...(shards === undefined ? {} : { shards }),
  });
}
