import { waitUntil } from "cloudflare:workers";
import { GroupCommit } from "../group-commit";
import { ADMIN_TIMEOUT_MS } from "../timeout";
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
import { type LedgerOp, type LedgerOpResult, MAX_BATCH_WEIGHT, opWeight } from "./batch";
import { callStore, STORE_TIMEOUT_MS } from "./call";
import { type KeyDirectory, keyDirectoryShard } from "./key-directory";
import type { TenantLedger } from "./tenant-ledger";
import { assertAdmitRequest, assertCredit, pageLimit } from "./validate";

export interface DurableObjectLedgerBindings {
  tenants: DurableObjectNamespace<TenantLedger>;
  keys: DurableObjectNamespace<KeyDirectory>;
  /** How long a ledger call may go unanswered (default STORE_TIMEOUT_MS). */
  timeoutMs?: number;
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
  const timeoutMs = ns.timeoutMs ?? STORE_TIMEOUT_MS;
  const adminMs = Math.max(timeoutMs, ADMIN_TIMEOUT_MS);
  // Stubs and ids are made per call: both belong to the request that makes them (an id kept across requests fails
  // the next request's call with "Cannot perform I/O on behalf of a different request").
  const tenant = (tenantId: string) => {
    seen.add(tenantId);
    return ns.tenants.get(ns.tenants.idFromName(tenantId));
  };
  // Admissions and settlements of one tenant that meet in this isolate go to its object as one call (group-commit.ts).
  // A lone item uses the object's own method for it, so an idle tenant's call is exactly what it was.
  const commits = new GroupCommit<LedgerOp, LedgerOpResult>({
    timeoutMs,
    maxWeight: MAX_BATCH_WEIGHT,
    weight: opWeight,
    keepAlive: waitUntil,
    urgent: (op) => op.kind === "admit",
    label: (ops) => `ledger store unavailable (durable object ${ops.length === 1 ? ops[0]?.kind : "commit"})`,
    send: (tenantId, ops) =>
      callStore(
        ops.length === 1 ? (ops[0]?.kind ?? "commit") : "commit",
        async () => {
          const [only] = ops;
          if (ops.length > 1 || only === undefined) return await tenant(tenantId).commit(ops);
          const stub = tenant(tenantId);
          const value: LedgerOpResult =
            only.kind === "admit"
              ? await stub.admit(only.req)
              : only.kind === "settle"
                ? await stub.settle(only.req)
                : await stub.voidHold(only.req);
          return [{ ok: true as const, value }];
        },
        // The group commit times the call out itself and answers every item.
        { timeoutMs: Number.POSITIVE_INFINITY },
      ),
  });
  const directory = (keyId: string) => ns.keys.get(ns.keys.idFromName(keyDirectoryShard(keyId)));

  const sweepTenants = async (tenantIds: readonly string[], now?: number): Promise<number> => {
    const counts = await Promise.all(
      tenantIds.map((id) => callStore("sweep", () => tenant(id).sweep(now), { idempotent: true, timeoutMs: adminMs })),
    );
    return counts.reduce((sum, n) => sum + n, 0);
  };

  const ledger: DurableObjectLedger = {
    admit(req: AdmitRequest) {
      assertAdmitRequest(req);
      return commits.submit(req.tenantId, { kind: "admit", req }) as Promise<AdmitResult>;
    },
    settle(req: SettleRequest) {
      return commits.submit(req.tenantId, { kind: "settle", req }) as Promise<SettleResult>;
    },
    void(req: VoidRequest) {
      return commits.submit(req.tenantId, { kind: "void", req }) as Promise<VoidResult>;
    },
    // Idempotent per reference, so a retry after a lost connection cannot credit twice.
    credit(keyId: string, tenantId: string, amount: Micros, reference: string, type: "topup" | "adjust") {
      assertCredit(amount);
      return callStore("credit", () => tenant(tenantId).credit(keyId, tenantId, amount, reference, type), {
        idempotent: true,
        timeoutMs: adminMs,
      });
    },
    balance(keyId: string, tenantId: string): Promise<Balance> {
      return callStore("balance", () => tenant(tenantId).balance(keyId), { idempotent: true, timeoutMs: adminMs });
    },
    entries(keyId, tenantId, opts) {
      const limit = pageLimit(opts?.limit);
      return callStore("entries", () => tenant(tenantId).entries(keyId, limit, opts?.beforeSeq), {
        idempotent: true,
        timeoutMs: adminMs,
      });
    },
    usage(tenantId, opts) {
      const query: { limit: number; keyId?: string; since?: number } = { limit: pageLimit(opts?.limit) };
      if (opts?.keyId !== undefined) query.keyId = opts.keyId;
      if (opts?.since !== undefined) query.since = opts.since;
      return callStore("usage", () => tenant(tenantId).usage(query), { idempotent: true, timeoutMs: adminMs });
    },
    sweep(now?: number) {
      return sweepTenants([...seen], now);
    },
    sweepTenants,
    recordToolCall(tenantId: string, taskId: string, limits: TaskLimits) {
      return callStore("recordToolCall", () => tenant(tenantId).recordToolCall(taskId, limits), { timeoutMs });
    },
    // Idempotent per request id, so a retry after a lost reply cannot write the event twice.
    record(event: UsageEvent) {
      assertUsageEvent(event);
      return callStore<RecordResult>("record", async () => await tenant(event.tenantId).record(event), {
        idempotent: true,
        timeoutMs,
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
      const created = await callStore("keys.create", () => directory(record.keyId).create(record), {
        timeoutMs: adminMs,
      });
      if (!created) return false;
      await callStore("keys.index", () => tenant(record.tenantId).indexKey(record), {
        idempotent: true,
        timeoutMs: adminMs,
      });
      return true;
    },
    get(keyId: string) {
      return callStore("keys.get", () => directory(keyId).record(keyId), { idempotent: true, timeoutMs });
    },
    list(tenantId: string) {
      return callStore("keys.list", () => tenant(tenantId).listKeys(), { idempotent: true, timeoutMs: adminMs });
    },
    async revoke(keyId: string, at: number) {
      const record = await callStore("keys.revoke", () => directory(keyId).revoke(keyId, at), {
        idempotent: true,
        timeoutMs: adminMs,
      });
      if (record)
        await callStore("keys.index", () => tenant(record.tenantId).indexKey(record), {
          idempotent: true,
          timeoutMs: adminMs,
        });
      return record;
    },
  };

  return { ledger, keys };
}
