import { createApp } from "./app";
import type { Services } from "./context";
import { parseEnv, type WorkerEnv } from "./env";
import type { CompiledPolicy } from "./policy/types";
import { CircuitBreakers } from "./routing/circuit-breaker";

/**
 * Builds the Worker for one compiled policy. Services live per isolate: the env object is stable within an isolate,
 * so they are built on the first request and reused (circuit-breaker state included).
 */
export function createWorker(policy: CompiledPolicy) {
  let built: { raw: WorkerEnv; services: Services } | undefined;
  const breakers = new CircuitBreakers();
  const services = (raw: WorkerEnv): Services => {
    if (built?.raw === raw) return built.services;
    const value: Services = {
      env: parseEnv(raw),
      policy,
      breakers,
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
  } satisfies ExportedHandler<WorkerEnv>;
}
