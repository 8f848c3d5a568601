import type {
  AdmitRequest,
  AdmitResult,
  Balance,
  KeyRecord,
  KeyStore,
  Ledger,
  Micros,
  RecordResult,
  SettleRequest,
  SettleResult,
  TaskLimits,
  UsageEvent,
  VoidRequest,
  VoidResult,
} from "../types";
import { assertUsageEvent } from "../usage-event";
import { callStore } from "./call";
import { type KeyDirectory, keyDirectoryShard } from "./key-directory";
import type { TenantLedger } from "./tenant-ledger";
import { assertAdmitRequest, assertCredit, pageLimit } from "./validate";

export interface DurableObjectLedgerBindings {
  tenants: DurableObjectNamespace<TenantLedger>;
  keys: DurableObjectNamespace<KeyDirectory>;
}

/**
 * sweep() cannot enumerate tenants (a namespace has no listing at runtime), so it sweeps the tenants this facade has
 * routed calls to, and `sweepTenants` sweeps named ones. That is enough because every tenant object expires its own
 * holds from an alarm; sweep is only a way to force it sooner (tests, admin tools).
 */
export interface DurableObjectLedger extends Ledger {
  sweepTenants(tenantIds: readonly string[], now?: number): Promise<number>;
}

export function createDurableObjectLedger(ns: DurableObjectLedgerBindings): {
  ledger: DurableObjectLedger;
  keys: KeyStore;
} {
  const seen = new Set<string>();
  const tenant = (tenantId: string) => {
    seen.add(tenantId);
    return ns.tenants.get(ns.tenants.idFromName(tenantId));
  };
  const directory = (keyId: string) => ns.keys.get(ns.keys.idFromName(keyDirectoryShard(keyId)));

  const sweepTenants = async (tenantIds: readonly string[], now?: number): Promise<number> => {
    const counts = await Promise.all(
      tenantIds.map((id) => callStore("sweep", () => tenant(id).sweep(now), { idempotent: true })),
    );
    return counts.reduce((sum, n) => sum + n, 0);
  };

  const ledger: DurableObjectLedger = {
    admit(req: AdmitRequest) {
      assertAdmitRequest(req);
      return callStore<AdmitResult>("admit", async () => await tenant(req.tenantId).admit(req));
    },
    settle(req: SettleRequest) {
      return callStore<SettleResult>("settle", async () => await tenant(req.tenantId).settle(req));
    },
    void(req: VoidRequest) {
      return callStore<VoidResult>("void", async () => await tenant(req.tenantId).voidHold(req));
    },
    // Idempotent per reference, so a retry after a lost connection cannot credit twice.
    credit(keyId: string, tenantId: string, amount: Micros, reference: string, type: "topup" | "adjust") {
      assertCredit(amount);
      return callStore("credit", () => tenant(tenantId).credit(keyId, tenantId, amount, reference, type), {
        idempotent: true,
      });
    },
    balance(keyId: string, tenantId: string): Promise<Balance> {
      return callStore("balance", () => tenant(tenantId).balance(keyId), { idempotent: true });
    },
    entries(keyId, tenantId, opts) {
      const limit = pageLimit(opts?.limit);
      return callStore("entries", () => tenant(tenantId).entries(keyId, limit, opts?.beforeSeq), { idempotent: true });
    },
    usage(tenantId, opts) {
      const query: { limit: number; keyId?: string; since?: number } = { limit: pageLimit(opts?.limit) };
      if (opts?.keyId !== undefined) query.keyId = opts.keyId;
      if (opts?.since !== undefined) query.since = opts.since;
      return callStore("usage", () => tenant(tenantId).usage(query), { idempotent: true });
    },
    sweep(now?: number) {
      return sweepTenants([...seen], now);
    },
    sweepTenants,
    recordToolCall(tenantId: string, taskId: string, limits: TaskLimits) {
      return callStore("recordToolCall", () => tenant(tenantId).recordToolCall(taskId, limits));
    },
    // Idempotent per request id, so a retry after a lost reply cannot write the event twice.
    record(event: UsageEvent) {
      assertUsageEvent(event);
      return callStore<RecordResult>("record", async () => await tenant(event.tenantId).record(event), {
        idempotent: true,
      });
    },
  };

  /**
   * Create writes the KeyDirectory first (it decides whether the id is free, atomically), then the tenant's index.
   * If the second write fails the caller gets an error and never hands out the secret, so the record left in the
   * directory is unusable; revoke rewrites the index copy, and both writes are idempotent, so retrying repairs it.
   */
  const keys: KeyStore = {
    async create(record: KeyRecord) {
      const created = await callStore("keys.create", () => directory(record.keyId).create(record));
      if (!created) return false;
      await callStore("keys.index", () => tenant(record.tenantId).indexKey(record), { idempotent: true });
      return true;
    },
    get(keyId: string) {
      return callStore("keys.get", () => directory(keyId).record(keyId), { idempotent: true });
    },
    list(tenantId: string) {
      return callStore("keys.list", () => tenant(tenantId).listKeys(), { idempotent: true });
    },
    async revoke(keyId: string, at: number) {
      const record = await callStore("keys.revoke", () => directory(keyId).revoke(keyId, at), { idempotent: true });
      if (record) await callStore("keys.index", () => tenant(record.tenantId).indexKey(record), { idempotent: true });
      return record;
    },
  };

  return { ledger, keys };
}
