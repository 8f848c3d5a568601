import type { Principal } from "../auth/principal";
import type { CacheCounter } from "../cache/types";
import type { ChatResponse, ChunkEvent } from "../canonical/chat";
import type { Services } from "../context";
import type { StoredResponse, UsageEvent } from "../ledger/types";
import type { Span } from "../observability/span";
import type { ModelConfig } from "../policy/types";
import type { StreamStart } from "../streaming/stream-start";
import type { Bill, Settlement, SettleOp } from "./billing/meter";
import type { Admission, BillingInput } from "./billing/types";
import type { RouteMeta } from "./route-meta";

/**
 * Types shared by the request pipeline's steps (chat, cache, cache hit, embeddings, tool loop, billed call). They
 * live here, apart from the steps, so that no two steps import each other for a type.
 */

/** One request's call context: who calls, what it says about billing, and where settlement goes. */
export interface ChatContext {
  services: Services;
  principal: Principal;
  /** `x-gateway-task-type` header, used by routing rules. */
  taskType?: string;
  /** Fires when the client goes away. */
  signal?: AbortSignal;
  billing: BillingInput;
  /** Durable settlement, off the hot path (waitUntil + outbox). */
  submit: (op: SettleOp) => Promise<void>;
  startedAt: number;
  /** The client's request headers (the response cache reads `cache-control` and `x-gateway-cache`). */
  requestHeaders?: Headers;
  /** The response cache is not consulted, written or counted (the tool loop's turns). */
  skipCache?: boolean;
  /** Keeps background work (cache writes, counters) alive after the response. */
  waitUntil?: (p: Promise<unknown>) => void;
  /** The request's root span (NOOP_SPAN with telemetry off): the pipeline's steps are its children. */
  span: Span;
  /** `batch` for an item of a Batch API job (src/batch): recorded on its usage event. */
  mode?: "batch";
}

/** What the cache did for one request: `x-gateway-cache`, the counter and the usage event's `cache`. */
export type CacheStatus = CacheCounter;

/** What the stream tap needs to price and file the answer it assembles. */
export interface StreamFacts {
  meta: RouteMeta;
  admission: Admission;
  settlement: Settlement;
  model: ModelConfig;
}

/** The cache's part of a routed request that was not answered from the cache: its headers and its writer. */
export interface ChatCache {
  readonly status: CacheStatus | undefined;
  /** For the usage event: the status, or `none` when the cache is off for this request. */
  readonly usageStatus: UsageEvent["cache"];
  /** `x-gateway-cache` (and, for shadow, the would-be entry's score and age); empty when the cache is off. */
  headers(): Record<string, string>;
  /** Stores a JSON answer, off the hot path, when it may be cached. */
  storeJson(response: ChatResponse, meta: RouteMeta, admission: Admission, cost: number): void;
  /**
   * Passes a committed stream through; once it has COMPLETED and `delivered` resolves true (the client received all
   * of it), stores the assembled answer. The stream runs a little ahead of the client, so the upstream finishing
   * does not mean the client stayed.
   */
  tap(events: AsyncIterable<ChunkEvent>, stream: StreamFacts, delivered: Promise<boolean>): AsyncIterable<ChunkEvent>;
  /** The prompt embedding, when the lookup computed one (reusable by later stages). */
  readonly embedding: number[] | undefined;
}

/**
 * A streamed request answered from the cache: admitted and priced, waiting to be replayed as SSE
 * (src/gateway/cache-respond.ts). A JSON request's hit is an ordinary `json` outcome instead.
 */
export interface CacheHit {
  response: ChatResponse;
  meta: RouteMeta;
  model: ModelConfig;
  admission: Admission;
  settlement: Settlement;
  bill: Bill;
  /** x-gateway-cache, score and age. */
  headers: Record<string, string>;
}

/** What a confidence cascade did (src/gateway/cascade.ts): headers, and the cheap call's cost when escalated. */
export interface CascadeReport {
  verdict: "accepted" | "escalated" | "held_by_cap" | "deadline" | "kept_cheap";
  /** Micro-credits the cheap call was charged when the answer is the premium one (0 otherwise: it is the answer). */
  cheapCost: number;
  confidence?: number;
  signal?: string;
  /** Why an escalation could not run (credits, task budget, the premium tier failing): its error code. */
  escalationError?: string;
}

export type ChatOutcome =
  | {
      kind: "json";
      response: ChatResponse;
      meta: RouteMeta;
      admission: Admission;
      bill: Bill;
      settlement: Settlement;
      cache?: ChatCache;
      cascade?: CascadeReport;
    }
  | {
      kind: "stream";
      start: StreamStart;
      meta: RouteMeta;
      idleTimeoutMs: number;
      admission: Admission;
      settlement: Settlement;
      model: ModelConfig;
      cache?: ChatCache;
      cascade?: CascadeReport;
    }
  | { kind: "replay"; response: StoredResponse }
  /** A streaming request answered from the response cache (src/gateway/cache-respond.ts writes it). */
  | { kind: "cached"; hit: CacheHit };
