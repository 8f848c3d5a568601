import type { Bindings, LedgerConfig } from "../ledger/config";
import { AnalyticsCollector } from "./collector";
import { createDurableObjectAnalytics, type TenantAnalytics } from "./durable-object";
import type { AnalyticsEnvConfig } from "./env-config";
import type { AnalyticsStore } from "./types";
import { createUpstashAnalytics } from "./upstash";

export interface AnalyticsServices {
  store: AnalyticsStore;
  collector: AnalyticsCollector;
}

function isNamespace(value: unknown): value is DurableObjectNamespace<TenantAnalytics> {
  return typeof value === "object" && value !== null && "idFromName" in value && "get" in value;
}

/**
 * The one place the analytics store is chosen: `ANALYTICS_BACKEND` — `durable-object` (default when the
 * TENANT_ANALYTICS binding exists), `upstash` (the Upstash Redis of UPSTASH_REDIS_REST_URL), or `off`.
 */
export function selectAnalytics(
  env: { config: AnalyticsEnvConfig & LedgerConfig },
  raw: Bindings,
): AnalyticsServices | undefined {
  const { config } = env;
  const choice = config.ANALYTICS_BACKEND ?? (isNamespace(raw.TENANT_ANALYTICS) ? "durable-object" : "off");
  let store: AnalyticsStore;
  if (choice === "off") return undefined;
  if (choice === "upstash") {
    if (config.UPSTASH_REDIS_REST_URL === undefined || config.UPSTASH_REDIS_REST_TOKEN === undefined) {
      throw new Error("ANALYTICS_BACKEND=upstash needs UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN");
    }
    store = createUpstashAnalytics({ url: config.UPSTASH_REDIS_REST_URL, token: config.UPSTASH_REDIS_REST_TOKEN });
  } else {
    const ns = raw.TENANT_ANALYTICS;
    if (!isNamespace(ns)) throw new Error("ANALYTICS_BACKEND=durable-object needs the TENANT_ANALYTICS binding");
    store = createDurableObjectAnalytics(ns);
  }
  return { store, collector: new AnalyticsCollector(store, { flushMs: config.ANALYTICS_FLUSH_MS }) };
}
