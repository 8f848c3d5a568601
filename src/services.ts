import { JwksCache } from "./auth/jwt-cache";
import { KeyCache } from "./auth/key-cache";
import { StaticKeys } from "./auth/static-keys";
import { cacheServices } from "./cache/services";
import type { Services } from "./context";
import { parseEnv, type WorkerEnv } from "./env";
import { AdmissionHints } from "./ledger/admission-hints";
import { outboxFromEnv } from "./ledger/outbox";
import { selectLedger } from "./ledger/select";
import { telemetryConfig } from "./observability/config";
import { createTelemetry, TELEMETRY_OFF } from "./observability/telemetry";
import type { CompiledPolicy } from "./policy/types";
import { CircuitBreakers } from "./routing/circuit-breaker";

/** What an isolate learns and keeps between requests, whatever env object the runtime hands it. */
export type IsolateState = Pick<Services, "breakers" | "admissionHints" | "keyCache" | "jwks" | "staticKeys">;

export function isolateState(): IsolateState {
  return {
    breakers: new CircuitBreakers(),
    admissionHints: new AdmissionHints(),
    keyCache: new KeyCache(),
    jwks: new JwksCache(),
    staticKeys: new StaticKeys(),
  };
}

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
    const otel = telemetryConfig(env.config);
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
      telemetry:
        otel === undefined ? TELEMETRY_OFF : createTelemetry(otel, { fetch: (i, n) => fetch(i, n), now: Date.now }),
      fetch: (input, init) => fetch(input, init),
      now: () => Date.now(),
      random: Math.random,
    };
    built = { raw, services };
    return services;
  };
}
