import { randomUUID } from "node:crypto";
import { Redis } from "@upstash/redis";
import { createUpstashLedger, type LedgerKeys, ledgerKeys, type UpstashOptions } from "../../../src/ledger/upstash";
import { type LocalUpstashRedis, startUpstashRedis } from "../../servers/upstash-redis";

/** One real Redis + REST front per test file; every ledger made from it gets a fresh random key prefix. */
export interface LedgerServer {
  local(): LocalUpstashRedis;
  make(opts?: Partial<UpstashOptions>): ReturnType<typeof createUpstashLedger> & { k: LedgerKeys };
  /** A plain client on the same store, for looking at (and tampering with) what the ledger wrote. */
  raw(): Redis;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function ledgerServer(): LedgerServer {
  let local: LocalUpstashRedis | undefined;
  const current = () => {
    if (local === undefined) throw new Error("ledgerServer.start() has not run");
    return local;
  };
  return {
    local: current,
    make: (opts = {}) => {
      const prefix = opts.prefix ?? `t${randomUUID().slice(0, 8)}:`;
      const made = createUpstashLedger({ url: current().url, token: current().token, ...opts, prefix });
      return { ...made, k: ledgerKeys(prefix) };
    },
    raw: () =>
      new Redis({
        url: current().url,
        token: current().token,
        retry: false,
        enableTelemetry: false,
        automaticDeserialization: false,
      }),
    async start() {
      local = await startUpstashRedis();
    },
    async stop() {
      await local?.close();
      local = undefined;
    },
  };
}
