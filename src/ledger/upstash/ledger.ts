import type { Redis } from "@upstash/redis/cloudflare";
import { decodeStored } from "../../storage/decode";
import { LedgerEntrySchema } from "../records";
import type { AdmitResult, Balance, Ledger, SettleResult, TaskLimits, VoidResult } from "../types";
import { assertUsageEvent } from "../usage-event";
import { admitArgs, settleArgs, voidArgs } from "./args";
import { jsonScript } from "./client";
import { type LedgerKeys, TERMINAL_TTL_MS } from "./keys";
import { BALANCE_SCRIPT, CREDIT_SCRIPT, ENTRIES_SCRIPT, TOOL_CALL_SCRIPT } from "./scripts/account";
import { ADMIT_SCRIPT } from "./scripts/admit";
import { RECORD_SCRIPT } from "./scripts/record";
import { SETTLE_SCRIPT, VOID_SCRIPT } from "./scripts/resolve";
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

export function createLedger(redis: Redis, k: LedgerKeys): Ledger {
  const admit = jsonScript(redis, ADMIT_SCRIPT);
  const settle = jsonScript(redis, SETTLE_SCRIPT);
  const voidHold = jsonScript(redis, VOID_SCRIPT);
  const sweep = jsonScript(redis, SWEEP_SCRIPT);
  const credit = jsonScript(redis, CREDIT_SCRIPT);
  const balance = jsonScript(redis, BALANCE_SCRIPT);
  const entries = jsonScript(redis, ENTRIES_SCRIPT);
  const toolCall = jsonScript(redis, TOOL_CALL_SCRIPT);
  const record = jsonScript(redis, RECORD_SCRIPT);

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
      return admit.run<AdmitResult>("admit", keys, [JSON.stringify(admitArgs(req))]);
    },

    async settle(req) {
      const keys = [
        ...resolveKeys(k, req.keyId, req.tenantId, req.requestId),
        k.task(req.tenantId, req.task?.id ?? ""),
        k.idempotency(req.keyId, req.idempotency?.key ?? ""),
      ];
      return settle.run<SettleResult>("settle", keys, [JSON.stringify(settleArgs(req, TERMINAL_TTL_MS))]);
    },

    async void(req) {
      const keys = [
        ...resolveKeys(k, req.keyId, req.tenantId, req.requestId),
        k.task(req.tenantId, ""),
        k.idempotency(req.keyId, req.idempotencyKey ?? ""),
      ];
      return voidHold.run<VoidResult>("void", keys, [JSON.stringify(voidArgs(req, TERMINAL_TTL_MS))]);
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
