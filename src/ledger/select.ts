import type { Bindings, LedgerConfig } from "./config";
import {
  createDurableObjectLedger,
  createDurableObjectUsagePager,
  type KeyDirectory,
  type TenantLedger,
} from "./durable-object";
import type { KeyStore, Ledger, UsagePager } from "./types";
import { createUpstashLedger } from "./upstash";

export interface LedgerBackend {
  ledger: Ledger;
  keys: KeyStore;
  /** Pages through every usage event (the admin and tenant usage APIs, the NDJSON export). */
  usage: UsagePager;
  /** Bills expired holds. `tenants` helps backends that cannot enumerate tenants themselves. */
  sweep: (tenants: string[]) => Promise<number>;
}

// biome-ignore lint/suspicious/noExplicitAny: any Durable Object class; the binding's class is fixed by wrangler.toml.
function isNamespace<T extends Rpc.DurableObjectBranded | undefined = any>(
  value: unknown,
): value is DurableObjectNamespace<T> {
  return typeof value === "object" && value !== null && "idFromName" in value && "get" in value;
}

/** The one place a storage product is chosen: `LEDGER_BACKEND` (default `durable-object`). */
export function selectLedger(
  env: { config: LedgerConfig },
  raw: Bindings,
  opts: { shards?: (tenantId: string) => number } = {},
): LedgerBackend {
  const { config } = env;
  if (config.LEDGER_BACKEND === "upstash") {
    if (config.UPSTASH_REDIS_REST_URL === undefined || config.UPSTASH_REDIS_REST_TOKEN === undefined) {
      throw new Error("LEDGER_BACKEND=upstash needs UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN");
    }
    const { ledger, keys, usage } = createUpstashLedger({
      url: config.UPSTASH_REDIS_REST_URL,
      token: config.UPSTASH_REDIS_REST_TOKEN,
    });
    return { ledger, keys, usage, sweep: () => ledger.sweep() };
  }
  const tenants = raw.TENANT_LEDGER;
  const directory = raw.KEY_DIRECTORY;
  if (!isNamespace<TenantLedger>(tenants) || !isNamespace<KeyDirectory>(directory)) {
    throw new Error("the durable-object ledger needs the TENANT_LEDGER and KEY_DIRECTORY bindings (see wrangler.toml)");
  }
  // A tenant's `credits.ledger_shards` spreads its accounts over that many objects (durable-object/shards.ts).
  const shards = opts.shards ?? (() => 1);
  const { ledger, keys } = createDurableObjectLedger({ tenants, keys: directory, shards });
  // Tenant objects also expire their own holds from alarms; the sweep is a backstop for the policy's tenants.
  return {
    ledger,
    keys,
    usage: createDurableObjectUsagePager(tenants, shards),
    sweep: (ids) => ledger.sweepTenants(ids),
  };
}
