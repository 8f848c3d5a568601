import type { Redis } from "@upstash/redis/cloudflare";
import { decodeStored } from "../../storage/decode";
import { GroupCommit, type ItemOutcome } from "../group-commit";
import { LedgerEntrySchema } from "../records";
import { STORE_TIMEOUT_MS, withTimeout } from "../timeout";
import type {
  AdmitResult,
  Balance,
  Ledger,
  SettleRequest,
  SettleResult,
  TaskLimits,
  VoidRequest,
  VoidResult,
} from "../types";
import { assertUsageEvent } from "../usage-event";
import { admitArgs, settleArgs, voidArgs } from "./args";
import { jsonScript } from "./client";
import { type LedgerKeys, TERMINAL_TTL_MS } from "./keys";
import { BALANCE_SCRIPT, CREDIT_SCRIPT, ENTRIES_SCRIPT, TOOL_CALL_SCRIPT } from "./scripts/account";
import { ADMIT_SCRIPT } from "./scripts/admit";
import { RECORD_SCRIPT } from "./scripts/record";
import { RESOLVE_BATCH_SCRIPT, SETTLE_SCRIPT, VOID_SCRIPT } from "./scripts/resolve";
import { SWEEP_SCRIPT } from "./scripts/sweep";
import { readUsage } from "./usage";

const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;
/** Holds billed per sweep script run: bounded so one run never blocks Redis for long. */
const SWEEP_BATCH = 200;

export function pageSize(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_PAGE;
  return Math.min(MAX_PAGE, Math.max(1, Math.floor(limit)));
}

type Snapshot = Omit<Balance, "keyId">;

/** A hold's resolution, as group-committed (see RESOLVE_BATCH_SCRIPT). */
type Resolution = { kind: "settle"; req: SettleRequest } | { kind: "void"; req: VoidRequest };
type Resolved = SettleResult | VoidResult;

/** Settlements per batched script run: bounded so one run never blocks Redis for long. */
const MAX_RESOLVE_BATCH = 64;
/** Characters of arguments per batched run (a settle may carry a stored Idempotency-Key response). */
const MAX_RESOLVE_WEIGHT = 4 * 1024 * 1024;

export interface UpstashLedgerOptions {
  /** How long one store call may go unanswered (default STORE_TIMEOUT_MS). */
  timeoutMs?: number;
}

export function createLedger(redis: Redis, k: LedgerKeys, opts: UpstashLedgerOptions = {}): Ledger {
  const timeoutMs = opts.timeoutMs ?? STORE_TIMEOUT_MS;
  const admit = jsonScript(redis, ADMIT_SCRIPT);
  const settle = jsonScript(redis, SETTLE_SCRIPT);
  const voidHold = jsonScript(redis, VOID_SCRIPT);
  const sweep = jsonScript(redis, SWEEP_SCRIPT);
  const credit = jsonScript(redis, CREDIT_SCRIPT);
  const balance = jsonScript(redis, BALANCE_SCRIPT);
  const entries = jsonScript(redis, ENTRIES_SCRIPT);
  const toolCall = jsonScript(redis, TOOL_CALL_SCRIPT);
  const record = jsonScript(redis, RECORD_SCRIPT);
  const resolveBatch = jsonScript(redis, RESOLVE_BATCH_SCRIPT);

  const resolveArgs = (r: Resolution): { keys: string[]; arg: string } =>
    r.kind === "settle"
      ? { keys: settleKeys(k, r.req), arg: JSON.stringify(settleArgs(r.req, TERMINAL_TTL_MS)) }
      : { keys: voidKeys(k, r.req), arg: JSON.stringify(voidArgs(r.req, TERMINAL_TTL_MS)) };

  // Settlements off the hot path meet here: what arrives while one script run is out goes in the next, all in one
  // round trip (admissions are not batched: one script run, one round trip each, never waiting for another).
  const resolutions = new GroupCommit<Resolution, Resolved>({
    timeoutMs,
    maxItems: MAX_RESOLVE_BATCH,
    maxWeight: MAX_RESOLVE_WEIGHT,
    weight: (r) => 1024 + (r.kind === "settle" ? (r.req.idempotency?.response.body.length ?? 0) : 0),
    label: (items) => `ledger store unavailable (${items.length === 1 ? items[0]?.kind : "settle batch"})`,
    async send(_store, items) {
      // Arguments are built (and checked) per item: a caller bug fails that item alone.
      const prepared = items.map((r) => {
        try {
          return resolveArgs(r);
        } catch (err) {
          return err instanceof Error ? err : new Error(String(err));
        }
      });
      const [only] = prepared;
      if (items.length === 1 && only !== undefined) {
        if (only instanceof Error) throw only;
        const script = items[0]?.kind === "void" ? voidHold : settle;
        return [{ ok: true, value: await script.run<Resolved>(items[0]?.kind ?? "settle", only.keys, [only.arg]) }];
      }
      const keys: string[] = [];
      const args: string[] = [];
      const sent: number[] = [];
      prepared.forEach((p, i) => {
        if (p instanceof Error) return;
        keys.push(...p.keys);
        args.push(items[i]?.kind ?? "settle", p.arg);
        sent.push(i);
      });
      const replies = sent.length === 0 ? [] : await resolveBatch.run<unknown[]>("settle batch", keys, args);
      const out: ItemOutcome<Resolved>[] = prepared.map((p) =>
        p instanceof Error ? { ok: false, error: p.message } : { ok: false, error: "no answer" },
      );
      sent.forEach((itemIndex, replyIndex) => {
        out[itemIndex] = batchOutcome(replies[replyIndex]);
      });
      return out;
    },
  });

  const withKey = (keyId: string, s: Snapshot): Balance => ({
    keyId,
    balance: s.balance,
    held: s.held,
    openHolds: s.openHolds,
    credited: s.credited,
    billed: s.billed,
  });

  return {
    async admit(req) {
      const keys = [
        k.account(req.keyId),
        k.holds(req.keyId),
        k.terminal(req.keyId, req.requestId),
        k.holdExpiry(),
        k.entries(req.keyId),
        k.rateLog("key", req.keyId),
        k.rateSum("key", req.keyId),
        k.rateLog("tenant", req.tenantId),
        k.rateSum("tenant", req.tenantId),
        k.task(req.tenantId, req.task?.id ?? ""),
        k.taskFingerprints(req.tenantId, req.task?.id ?? ""),
        k.idempotency(req.keyId, req.idempotency?.key ?? ""),
      ];
      const args = [JSON.stringify(admitArgs(req))];
      return withTimeout("ledger store unavailable (admit)", admit.run<AdmitResult>("admit", keys, args), timeoutMs);
    },

    async settle(req) {
      settleArgs(req, TERMINAL_TTL_MS);
      return (await resolutions.submit("", { kind: "settle", req })) as SettleResult;
    },

    async void(req) {
      voidArgs(req, TERMINAL_TTL_MS);
      return (await resolutions.submit("", { kind: "void", req })) as VoidResult;
    },

    async credit(keyId, tenantId, amount, reference, type) {
      if (!Number.isSafeInteger(amount)) throw new RangeError("ledger: credit amount must be a safe integer");
      if (type === "topup" && amount < 0) throw new RangeError("ledger: a topup cannot be negative; use adjust");
      const keys = [k.account(keyId), k.holds(keyId), k.creditRefs(keyId), k.entries(keyId)];
      const args = JSON.stringify({ tenantId, amount, reference, type });
      return withKey(keyId, await credit.run<Snapshot>("credit", keys, [args]));
    },

    async balance(keyId) {
      return withKey(keyId, await balance.run<Snapshot>("balance", [k.account(keyId), k.holds(keyId)], []));
    },

    async entries(keyId, _tenantId, opts = {}) {
      const before = opts.beforeSeq === undefined ? 0 : Math.max(1, Math.floor(opts.beforeSeq));
      const page = await entries.runRaw("entries", [k.entries(keyId)], [String(pageSize(opts.limit)), String(before)]);
      if (!Array.isArray(page)) throw new Error("ledger entries: unexpected script reply");
      return page.map((text) => decodeStored(LedgerEntrySchema, String(text), "ledger entry"));
    },

    async usage(tenantId, opts = {}) {
      return readUsage(redis, k, tenantId, { ...opts, limit: pageSize(opts.limit) });
    },

    async sweep(now) {
      let total = 0;
      for (;;) {
        const args = JSON.stringify({
          prefix: k.prefix,
          batch: SWEEP_BATCH,
          termTtlMs: TERMINAL_TTL_MS,
          // The store's clock unless the caller names a time (tests, or a sweeper catching up).
          ...(now === undefined || !Number.isFinite(now) ? {} : { now: Math.floor(now) }),
        });
        const run = await sweep.run<{ seen: number; expired: number }>("sweep", [k.holdExpiry()], [args]);
        total += run.expired;
        if (run.seen < SWEEP_BATCH) return total;
      }
    },

    async recordToolCall(tenantId, taskId, limits: TaskLimits) {
      const args = JSON.stringify({ max: limits.max_tool_calls });
      const ok = await toolCall.runRaw("recordToolCall", [k.task(tenantId, taskId)], [args]);
      return { ok: Number(ok) === 1 };
    },

    async record(event) {
      assertUsageEvent(event);
      const keys = [
        k.recorded(event.tenantId, event.requestId),
        k.tenantUsage(event.tenantId),
        k.keyUsage(event.keyId),
      ];
      const added = await record.runRaw("record", keys, [JSON.stringify(event), String(TERMINAL_TTL_MS)]);
      return Number(added) === 1 ? { kind: "recorded" } : { kind: "duplicate" };
    },
  };
}

function settleKeys(k: LedgerKeys, req: SettleRequest): string[] {
  return [
    ...resolveKeys(k, req.keyId, req.tenantId, req.requestId),
    k.task(req.tenantId, req.task?.id ?? ""),
    k.idempotency(req.keyId, req.idempotency?.key ?? ""),
  ];
}

function voidKeys(k: LedgerKeys, req: VoidRequest): string[] {
  return [
    ...resolveKeys(k, req.keyId, req.tenantId, req.requestId),
    k.task(req.tenantId, ""),
    k.idempotency(req.keyId, req.idempotencyKey ?? ""),
  ];
}

/** One item's reply in a batched run: its result, or the error its script body raised. */
function batchOutcome(reply: unknown): ItemOutcome<Resolved> {
  if (typeof reply !== "object" || reply === null || !("kind" in reply)) {
    return { ok: false, error: "unexpected batch reply" };
  }
  if (reply.kind === "error") {
    return { ok: false, error: "error" in reply ? String(reply.error) : "script error" };
  }
  return { ok: true, value: reply as Resolved };
}

function resolveKeys(k: LedgerKeys, keyId: string, tenantId: string, requestId: string): string[] {
  return [
    k.account(keyId),
    k.holds(keyId),
    k.terminal(keyId, requestId),
    k.holdExpiry(),
    k.entries(keyId),
    k.tenantUsage(tenantId),
    k.keyUsage(keyId),
  ];
}
