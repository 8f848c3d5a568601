import { JwksCache } from "./auth/jwt-cache";
import { KeyCache } from "./auth/key-cache";
import type { Principal } from "./auth/principal";
import { StaticKeys } from "./auth/static-keys";
import type { CacheServices } from "./cache/services";
import type { Env, WorkerEnv } from "./env";
import { AdmissionHints } from "./ledger/admission-hints";
import type { OutboxClient } from "./ledger/outbox";
import type { KeyStore, Ledger } from "./ledger/types";
import type { CompiledPolicy } from "./policy/types";
import type { ResolveResult } from "./providers";
import { CircuitBreakers } from "./routing/circuit-breaker";

/**
 * Long-lived collaborators and everything an isolate keeps between requests, built once per isolate (src/services.ts)
 * and shared by every request it serves. No other module holds per-isolate state.
 */
export interface Services {
  env: Env;
  policy: CompiledPolicy;
  breakers: CircuitBreakers;
  /** What this isolate last saw of each account's balance and rate windows (whether admission may overlap). */
  admissionHints: AdmissionHints;
  /** Credits, holds, rate limits, task budgets, idempotency and usage events (Upstash Redis or Durable Objects). */
  ledger: Ledger;
  keys: KeyStore;
  /** Durable retry for settlements the ledger could not take at the time (undefined without the binding). */
  outbox: OutboxClient | undefined;
  /** The response cache (store and embedder bindings); undefined when the Worker is built without it. */
  cache?: CacheServices;
  /** API key records read from the store, trusted for KEY_CACHE_TTL_MS (the bound on revocation). */
  keyCache: KeyCache;
  /** Tenants' signing keys fetched from their JWKS URLs. */
  jwks: JwksCache;
  /** The bootstrap static keys (GATEWAY_STATIC_KEYS), parsed once, and those already verified. */
  staticKeys: StaticKeys;
  /** Providers resolved against the env's secrets, by provider id (the env is fixed for the Services' life). */
  providers: Map<string, ResolveResult>;
  /** Bills expired holds (cron trigger). */
  sweep: () => Promise<number>;
  /** Outbound fetch; the one place an upstream call leaves the Worker. */
  fetch: typeof fetch;
  now: () => number;
  random: () => number;
}

/** What an isolate learns and keeps between requests, whatever env object the runtime hands it. */
export type IsolateState = Pick<Services, "breakers" | "admissionHints" | "keyCache" | "jwks" | "staticKeys">;

/** A fresh isolate's state (src/services.ts builds one per isolate; tests that build Services by hand use it too). */
export function isolateState(): IsolateState {
  return {
    breakers: new CircuitBreakers(),
    admissionHints: new AdmissionHints(),
    keyCache: new KeyCache(),
    jwks: new JwksCache(),
    staticKeys: new StaticKeys(),
  };
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
