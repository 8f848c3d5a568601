import type { Principal } from "./auth/principal";
import type { CacheServices } from "./cache/services";
import type { Env, WorkerEnv } from "./env";
import type { AdmissionHints } from "./gateway/billing/admission-hints";
import type { OutboxClient } from "./ledger/outbox";
import type { KeyStore, Ledger } from "./ledger/types";
import type { CompiledPolicy } from "./policy/types";
import type { CircuitBreakers } from "./routing/circuit-breaker";
import type { LoadMonitor } from "./routing/load/monitor";
import type { PremiumShares } from "./routing/premium-share";

/** Long-lived collaborators, built once per isolate and shared by every request it serves. */
export interface Services {
  env: Env;
  policy: CompiledPolicy;
  breakers: CircuitBreakers;
  /** Origin clusters' load as this isolate sees it (scrapes, ORCA headers, in-flight, TTFT) and their spill state. */
  load: LoadMonitor;
  /** Per-isolate sliding windows of the premium tier's share, for routes with `premium_cap`. */
  premiumShares: PremiumShares;
  /** What this isolate last saw of each account's balance and rate windows (whether admission may overlap). */
  admissionHints: AdmissionHints;
  /** Credits, holds, rate limits, task budgets, idempotency and usage events (Upstash Redis or Durable Objects). */
  ledger: Ledger;
  keys: KeyStore;
  /** Durable retry for settlements the ledger could not take at the time (undefined without the binding). */
  outbox: OutboxClient | undefined;
  /** The response cache (store and embedder bindings); undefined when the Worker is built without it. */
  cache?: CacheServices;
  /** Bills expired holds (cron trigger). */
  sweep: () => Promise<number>;
  /** Outbound fetch; the one place an upstream call leaves the Worker. */
  fetch: typeof fetch;
  now: () => number;
  random: () => number;
}

export interface AppEnv {
  Bindings: WorkerEnv;
  Variables: {
    requestId: string;
    services: Services;
    /** Raw request body, read (size-limited) before authentication so a 413 always comes first. */
    rawBody: string;
    principal: Principal;
    /** Set once this request's usage event is on its way (with a settlement, a void or a recorded refusal). */
    usageRecorded: boolean;
  };
}
