import type { AnalyticsServices } from "./analytics/select";
import { JwksCache } from "./auth/jwt-cache";
import { KeyCache } from "./auth/key-cache";
import type { Principal } from "./auth/principal";
import { StaticKeys } from "./auth/static-keys";
import type { CacheServices } from "./cache/services";
import type { ChatRequest } from "./canonical/chat";
import type { Env, WorkerEnv } from "./env";
import { AdmissionHints } from "./ledger/admission-hints";
import type { OutboxClient } from "./ledger/outbox";
import type { KeyStore, Ledger, UsagePager } from "./ledger/types";
import type { Span } from "./observability/span";
import type { Telemetry } from "./observability/telemetry";
import type { CompiledPolicy } from "./policy/types";
import type { ResolveResult } from "./providers";
import { CircuitBreakers } from "./routing/circuit-breaker";
import { LoadMonitor } from "./routing/load/monitor";
import { PremiumShares } from "./routing/premium-share";

export type CascadeVerifier = (req: ChatRequest, answer: string) => Promise<number | undefined> | number | undefined;

/**
 * Long-lived collaborators and everything an isolate keeps between requests, built once per isolate (src/services.ts)
 * and shared by every request it serves. No other module holds per-isolate state.
 */
export interface Services {
  env: Env;
  policy: CompiledPolicy;
  breakers: CircuitBreakers;
  /** Origin clusters' load as this isolate sees it (scrapes, ORCA headers, in-flight, TTFT) and their spill state. */
  load: LoadMonitor;
  /**
   * The cascade's learned verifier: scores (prompt, cheap answer) in 0..1, or undefined when it cannot. Absent: the
   * cascade has no verifier signal (router-learn's `scoreVerifier` plugs in here).
   */
  verifier?: CascadeVerifier;
  /** Sliding windows of the premium tier's share, for routes with `premium_cap` (per isolate: see tiering.ts). */
  premiumShares: PremiumShares;
  /** What this isolate last saw of each account's balance and rate windows (whether admission may overlap). */
  admissionHints: AdmissionHints;
  /** Credits, holds, rate limits, task budgets, idempotency and usage events (Upstash Redis or Durable Objects). */
  ledger: Ledger;
  keys: KeyStore;
  /** Cursor paging through every usage event; absent in test wirings without one (then one page of Ledger.usage). */
  usagePages?: UsagePager;
  /** Durable retry for settlements the ledger could not take at the time (undefined without the binding). */
  outbox: OutboxClient | undefined;
  /** The response cache (store and embedder bindings); undefined when the Worker is built without it. */
  cache?: CacheServices;
  /** Usage rollups (store + the isolate's batching collector); undefined when analytics are off. */
  analytics?: AnalyticsServices;
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
  /** OpenTelemetry export (TELEMETRY_OFF without an endpoint). */
  telemetry: Telemetry;
  /** Outbound fetch; the one place an upstream call leaves the Worker. */
  fetch: typeof fetch;
  now: () => number;
  random: () => number;
}

/** What an isolate learns and keeps between requests, whatever env object the runtime hands it. */
export type IsolateState = Pick<
  Services,
  "breakers" | "load" | "premiumShares" | "admissionHints" | "keyCache" | "jwks" | "staticKeys"
>;

/** A fresh isolate's state (src/services.ts builds one per isolate; tests that build Services by hand use it too). */
export function isolateState(): IsolateState {
  return {
    breakers: new CircuitBreakers(),
    load: new LoadMonitor({ fetch: (req) => fetch(req), now: () => Date.now() }),
    premiumShares: new PremiumShares(),
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
    /** The request's root span (NOOP_SPAN with telemetry off). */
    span: Span;
    /** Set once this request's usage event is on its way (with a settlement, a void or a recorded refusal). */
    usageRecorded: boolean;
  };
}
