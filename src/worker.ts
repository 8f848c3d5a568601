import { createApp } from "./app";
import { cacheServices } from "./cache/services";
import type { Services } from "./context";
import { type Env, parseEnv, type WorkerEnv } from "./env";
import { AdmissionHints } from "./gateway/billing/admission-hints";
import { createLoadMonitor } from "./gateway/origin-load";
import { outboxFromEnv } from "./ledger/outbox";
import { selectLedger } from "./ledger/select";
import type { CompiledPolicy } from "./policy/types";
import { CircuitBreakers } from "./routing/circuit-breaker";
import { PremiumShares } from "./routing/premium-share";

/**
 * Builds the Worker for one compiled policy. Services live per isolate: the env object is stable within an isolate,
 * so they are built on the first request and reused (circuit-breaker state included).
 */
export function createWorker(policy: CompiledPolicy) {
  let built: { raw: WorkerEnv; services: Services } | undefined;
  const breakers = new CircuitBreakers();
  const admissionHints = new AdmissionHints();
  let currentEnv: Env | undefined;
  const load = createLoadMonitor(policy, () => currentEnv);
  const premiumShares = new PremiumShares();
  const tenantIds = Object.keys(policy.tenants);
  const services = (raw: WorkerEnv): Services => {
    if (built?.raw === raw) return built.services;
    const env = parseEnv(raw);
    currentEnv = env;
    const backend = selectLedger(env, raw);
    const value: Services = {
      env,
      policy,
      breakers,
      load,
      premiumShares,
      admissionHints,
      ledger: backend.ledger,
      keys: backend.keys,
      outbox: outboxFromEnv(raw, env.config.LEDGER_BACKEND),
      cache: cacheServices(env, raw),
      sweep: () => backend.sweep(tenantIds),
      fetch: (input, init) => fetch(input, init),
      now: () => Date.now(),
      random: Math.random,
    };
    built = { raw, services: value };
    return value;
  };
  const app = createApp(services);
  return {
    fetch: app.fetch,
    /** Cron trigger: bills holds whose request never settled (the isolate died mid-request). */
    async scheduled(_controller, env, ctx) {
      ctx.waitUntil(
        services(env)
          .sweep()
          .then((n) => {
            if (n > 0) console.warn(`sweeper billed ${n} expired hold(s)`);
          }),
      );
    },
  } satisfies ExportedHandler<WorkerEnv>;
}
