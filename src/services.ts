import { cacheServices } from "./cache/services";
import { isolateState, type Services } from "./context";
import { parseEnv, type WorkerEnv } from "./env";
import { outboxFromEnv } from "./ledger/outbox";
import { selectLedger } from "./ledger/select";
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
  return (raw) => {
    if (built?.raw === raw) return built.services;
    const env = parseEnv(raw);
    const backend = selectLedger(env, raw);
    const services: Services = {
      ...state,
      env,
      policy,
      ledger: backend.ledger,
      keys: backend.keys,
      outbox: outboxFromEnv(raw, env.config.LEDGER_BACKEND),
      cache: cacheServices(env, raw),
      providers: new Map(),
      sweep: () => backend.sweep(tenantIds),
      fetch: (input, init) => fetch(input, init),
      now: () => Date.now(),
      random: Math.random,
    };
    built = { raw, services };
    return services;
  };
}
