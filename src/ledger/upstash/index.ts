import type { KeyStore, Ledger, UsagePager } from "../types";
import { createRedis, type UpstashOptions } from "./client";
import { createKeyStore } from "./key-store";
import { ledgerKeys } from "./keys";
import { createLedger } from "./ledger";
import { createUpstashUsagePager } from "./usage-pager";

export type { UpstashOptions } from "./client";
export { type LedgerKeys, ledgerKeys, part, RATE_WINDOW_MS, TERMINAL_TTL_MS } from "./keys";

/**
 * The production ledger and key store on Upstash Redis. Every money operation is one Lua script (atomic on the
 * server, timed by the server's clock); store failures surface as StoreUnavailableError. Data layout: keys.ts.
 */
export function createUpstashLedger(opts: UpstashOptions): { ledger: Ledger; keys: KeyStore; usage: UsagePager } {
  const redis = createRedis(opts);
  const k = ledgerKeys(opts.prefix ?? "gw:");
  return {
    ledger: createLedger(redis, k, opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
    keys: createKeyStore(redis, k),
    usage: createUpstashUsagePager(redis, k),
  };
}
