import { selectAnalytics } from "./analytics/select";
import { cacheServices } from "./cache/services";
import { isolateState, type Services } from "./context";
import { parseEnv, type WorkerEnv } from "./env";
import { outboxFromEnv } from "./ledger/outbox";
import { selectLedger } from "./ledger/select";
import { telemetryConfig } from "./observability/config";
import { createTelemetry, TELEMETRY_OFF } from "./observability/telemetry";
import type { CompiledPolicy } from "./policy/types";

/**
 * The one place Services are built: per isolate, for one compiled policy. The env object is stable within an
 * isolate, so the env-derived part (backends, resolved providers) is built on the first request and reused; the
 * isolate's state (breakers, hints, caches) outlives even a new env object.
 */
export function servicesFor(policy: CompiledPolicy): (raw: WorkerEnv) => Services {
  let built: { raw: WorkerEnv; services: Services } | undefined;
  const state = isolateState();
  const tenantIds = Object.keys(policy.tenants);
  // A tenant's ledger objects (credits.ledger_shards); tenants outside the policy (none reach the ledger) get one.
  const shards = (tenantId: string) => policy.tenants[tenantId]?.credits.ledger_shards ?? 1;
  return (raw) => {
    if (built?.raw === raw) return built.services;
    const env = parseEnv(raw);
    const backend = selectLedger(env, raw, { shards });
    const otel = telemetryConfig(env.config);
    const services: Services = {
      ...state,
      env,
      policy,
      ledger: backend.ledger,
      keys: backend.keys,
      usagePages: backend.usage,
      outbox: outboxFromEnv(raw, env.config.LEDGER_BACKEND, shards),
      cache: cacheServices(env, raw),
      providers: new Map(),
      sweep: () => backend.sweep(tenantIds),
      telemetry:
        otel === undefined ? TELEMETRY_OFF : createTelemetry(otel, { fetch: (i, n) => fetch(i, n), now: Date.now }),
      fetch: (input, init) => fetch(input, init),
      now: () => Date.now(),
      random: Math.random,
    };
    const analytics = selectAnalytics(env, raw);
    if (analytics !== undefined) services.analytics = analytics;
    built = { raw, services };
    return services;
  };
}
