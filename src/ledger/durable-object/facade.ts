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
import { shardAdmit, shardName, shardOf, shardTaskId } from "./shards";
import type { TenantLedger } from "./tenant-ledger";
import { mergeUsage } from "./usage-merge";
import { assertAdmitRequest, assertCredit, pageLimit } from "./validate";

export interface DurableObjectLedgerBindings {
  tenants: DurableObjectNamespace<TenantLedger>;
  keys: DurableObjectNamespace<KeyDirectory>;
  /** How long a ledger call may go unanswered (default STORE_TIMEOUT_MS). */
  timeoutMs?: number;
  /** A tenant's `credits.ledger_shards` (default 1: one object per tenant). See shards.ts. */
  shards?: (tenantId: string) => number;
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
  const shardsOf = ns.shards ?? (() => 1);
  const object = (name: string) => ns.tenants.get(ns.tenants.idFromName(name));
  /** The tenant's home object (shard 0): the key index lives there. */
  const tenant = (tenantId: string) => {
    seen.add(tenantId);
    return object(tenantId);
  };
  /** Where a key's account lives (or a record, by request id): the object's name, and the shard count it is called with. */
  const place = (tenantId: string, id: string) => {
    seen.add(tenantId);
    const n = shardsOf(tenantId);
    const index = shardOf(id, n);
    return { n, index, name: shardName(tenantId, index) };
  };
  const allShards = (tenantId: string) => {
    seen.add(tenantId);
    const n = shardsOf(tenantId);
    return Array.from({ length: n }, (_, i) => ({ n, name: shardName(tenantId, i) }));
  };
  // The shard count each group-commit key (an object name) was last submitted with.
  const countOf = new Map<string, number>();
  const submit = (tenantId: string, keyId: string, op: (index: number, n: number) => LedgerOp) => {
    const at = place(tenantId, keyId);
    countOf.set(at.name, at.n);
    return commits.submit(at.name, op(at.index, at.n));
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
    send: (name, ops) =>
      callStore(
        ops.length === 1 ? (ops[0]?.kind ?? "commit") : "commit",
        async () => {
          const [only] = ops;
          const n = countOf.get(name) ?? 1;
          if (ops.length > 1 || only === undefined) return await object(name).commit(ops, n);
          const stub = object(name);
          const value: LedgerOpResult =
            only.kind === "admit"
              ? await stub.admit(only.req, n)
              : only.kind === "settle"
                ? await stub.settle(only.req, n)
                : await stub.voidHold(only.req, n);
          return [{ ok: true as const, value }];
        },
        // The group commit times the call out itself and answers every item.
        { timeoutMs: Number.POSITIVE_INFINITY },
      ),
  });
  const directory = (keyId: string) => ns.keys.get(ns.keys.idFromName(keyDirectoryShard(keyId)));

  const sweepTenants = async (tenantIds: readonly string[], now?: number): Promise<number> => {
    const counts = await Promise.all(
      tenantIds
        .flatMap((id) => allShards(id))
        .map((s) => callStore("sweep", () => object(s.name).sweep(now), { idempotent: true, timeoutMs: adminMs })),
    );
    return counts.reduce((sum, n) => sum + n, 0);
  };

  const ledger: DurableObjectLedger = {
    admit(req: AdmitRequest) {
      assertAdmitRequest(req);
      return submit(req.tenantId, req.keyId, (index, n) => ({
        kind: "admit",
        req: shardAdmit(req, index, n),
      })) as Promise<AdmitResult>;
    },
    settle(req: SettleRequest) {
      return submit(req.tenantId, req.keyId, (_, n) => ({
        kind: "settle",
        req: n > 1 && req.task ? { ...req, task: { ...req.task, id: shardTaskId(req.keyId, req.task.id) } } : req,
      })) as Promise<SettleResult>;
    },
    void(req: VoidRequest) {
      return submit(req.tenantId, req.keyId, () => ({ kind: "void", req })) as Promise<VoidResult>;
    },
    // Idempotent per reference, so a retry after a lost connection cannot credit twice.
    credit(keyId: string, tenantId: string, amount: Micros, reference: string, type: "topup" | "adjust") {
      assertCredit(amount);
      const at = place(tenantId, keyId);
      return callStore("credit", () => object(at.name).credit(keyId, tenantId, amount, reference, type, at.n), {
        idempotent: true,
        timeoutMs: adminMs,
      });
    },
    balance(keyId: string, tenantId: string): Promise<Balance> {
      const at = place(tenantId, keyId);
      return callStore("balance", () => object(at.name).balance(keyId), { idempotent: true, timeoutMs: adminMs });
    },
    entries(keyId, tenantId, opts) {
      const limit = pageLimit(opts?.limit);
      const at = place(tenantId, keyId);
      return callStore("entries", () => object(at.name).entries(keyId, limit, opts?.beforeSeq), {
        idempotent: true,
        timeoutMs: adminMs,
      });
    },
    usage(tenantId, opts) {
      const query: { limit: number; keyId?: string; since?: number } = { limit: pageLimit(opts?.limit) };
      if (opts?.keyId !== undefined) query.keyId = opts.keyId;
      if (opts?.since !== undefined) query.since = opts.since;
      // The newest of every shard's newest, merged. A key's hold events live in its shard, but standalone records
      // are placed by request id, so a key's listing reads every shard too.
      const shards = allShards(tenantId);
      const read = (name: string) =>
        callStore("usage", () => object(name).usage(query), { idempotent: true, timeoutMs: adminMs });
      if (shards.length === 1) return read(shards[0]?.name ?? tenantId);
      return Promise.all(shards.map((s) => read(s.name))).then((lists) => mergeUsage(lists, query.limit));
    },
    sweep(now?: number) {
      return sweepTenants([...seen], now);
    },
    sweepTenants,
    recordToolCall(tenantId: string, taskId: string, limits: TaskLimits, keyId?: string) {
      const n = shardsOf(tenantId);
      if (n === 1) {
        return callStore("recordToolCall", () => tenant(tenantId).recordToolCall(taskId, limits, 1), { timeoutMs });
      }
      // A sharded tenant's task counters live with the key that runs the task (shards.ts).
      if (keyId === undefined)
        return Promise.reject(new TypeError("recordToolCall on a sharded tenant needs the key id"));
      const at = place(tenantId, keyId);
      const id = shardTaskId(keyId, taskId);
      return callStore("recordToolCall", () => object(at.name).recordToolCall(id, limits, at.n), { timeoutMs });
    },
    // Idempotent per request id, so a retry after a lost reply cannot write the event twice.
    record(event: UsageEvent) {
      assertUsageEvent(event);
      // Placed by request id, not key id: a record is idempotent per (tenant, request id) whatever key it names.
      const at = place(event.tenantId, event.requestId);
      return callStore<RecordResult>("record", async () => await object(at.name).record(event, at.n), {
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
