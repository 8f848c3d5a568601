import type { TierDecision } from "../routing/plan";

/**
 * The money contract. Every amount is an integer number of micro-credits (1 credit = 1,000,000 micro-credits); no
 * floats anywhere. Two-phase, TigerBeetle-style: `admit` atomically checks limits and reserves the worst case as a
 * hold keyed by the request id; the hold then resolves exactly once — `settle` (bill the real cost, release the rest),
 * `void` (nothing delivered), or expiry by the sweeper (billed at the hold, flagged). Implementations: Upstash Redis
 * (Lua scripts) and a SQLite-backed Durable Object; both pass test/integration/ledger/contract.ts.
 */

export type Micros = number;

export interface RateLimit {
  /** Requests per rolling minute; absent = unlimited. */
  requests_per_minute?: number;
  /** Tokens (prompt estimate + reserved output) per rolling minute; absent = unlimited. */
  tokens_per_minute?: number;
}

export interface TaskLimits {
  max_calls?: number;
  max_tokens?: number;
  max_cost?: Micros;
  max_tool_calls?: number;
  /** How many times the identical request (same fingerprint) may repeat within one task. */
  max_identical_calls?: number;
}

export interface AdmitRequest {
  keyId: string;
  tenantId: string;
  requestId: string;
  /** Micro-credits for the prompt at the model's input price (estimated tokens, rounded up). */
  promptCost: Micros;
  /** Micro-credits per million output tokens. 0 = free output. */
  outputPricePerMtok: number;
  /** Output tokens wanted: the request's max_tokens, or the model's maximum when absent. */
  maxOutputTokens: number;
  /** Fewest output tokens worth serving. Fewer affordable -> insufficient_credits (402). */
  minOutputTokens: number;
  /** Prompt token estimate, counted against tokens-per-minute limits together with the granted output tokens. */
  promptTokens: number;
  limits: { key?: RateLimit; tenant?: RateLimit };
  /** How long an unresolved hold lives before the sweeper bills it (isolate died mid-request). */
  holdTtlMs: number;
  idempotency?: { key: string; bodyHash: string; ttlMs: number };
  task?: { id: string; fingerprint: string; limits: TaskLimits; ttlMs: number };
}

export interface RateState {
  scope: "key" | "tenant";
  limit: "requests" | "tokens";
  /** The configured per-minute limit, and what is left of it after this request. */
  max: number;
  remaining: number;
  /** Milliseconds until the window frees enough room. */
  resetMs: number;
}

/** A response kept for Idempotency-Key replays (status, the headers worth replaying, and the body text). */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type AdmitResult =
  | {
      kind: "admitted";
      reserved: Micros;
      /** Output tokens granted: maxOutputTokens, or fewer when the balance affords fewer. */
      outputTokens: number;
      clamped: boolean;
      balanceAfter: Micros;
      rate: RateState[];
    }
  | { kind: "replay"; response: StoredResponse }
  | { kind: "insufficient_credits"; balance: Micros; needed: Micros }
  | { kind: "rate_limited"; state: RateState; retryAfterMs: number }
  | { kind: "idempotency_in_flight" }
  | { kind: "idempotency_mismatch" }
  | { kind: "task_budget_exceeded"; limit: "calls" | "tokens" | "cost" | "tool_calls" }
  | { kind: "task_loop_detected"; repeats: number }
  | { kind: "duplicate_request" };

export interface SettleRequest {
  keyId: string;
  tenantId: string;
  requestId: string;
  /** The real cost. Above the hold it is billed at the hold and flagged `over_hold` — never more. */
  cost: Micros;
  inputTokens: number;
  outputTokens: number;
  /** e.g. `usage_untrusted`, `usage_estimated`, `client_disconnected`, `cut_off`. */
  flags: string[];
  /** When the request carried an Idempotency-Key: the response to replay later. */
  idempotency?: { key: string; response: StoredResponse };
  task?: { id: string; toolCalls: number };
  /** Recorded with the terminal ledger entry and the usage event. */
  usage: UsageEvent;
}

export type SettleResult =
  | { kind: "settled"; charged: Micros; released: Micros; balanceAfter: Micros }
  /** The hold had already resolved (settled, voided or expired): nothing changed. */
  | { kind: "already_resolved"; terminal: "settled" | "voided" | "expired" }
  | { kind: "unknown_hold" };

export interface VoidRequest {
  keyId: string;
  tenantId: string;
  requestId: string;
  idempotencyKey?: string;
  usage: UsageEvent;
}

export type VoidResult =
  | { kind: "voided"; released: Micros; balanceAfter: Micros }
  | { kind: "already_resolved"; terminal: "settled" | "voided" | "expired" }
  | { kind: "unknown_hold" };

export type LedgerEntryType = "topup" | "adjust" | "reserve" | "settle" | "void" | "expire";

export interface LedgerEntry {
  /** Monotonic per key. */
  seq: number;
  at: number;
  type: LedgerEntryType;
  requestId?: string;
  /** Signed change to the available balance. */
  amount: Micros;
  /** For settle/expire: what was billed; for reserve: the hold. */
  charged?: Micros;
  balanceAfter: Micros;
  flags?: string[];
  reference?: string;
}

export interface Balance {
  keyId: string;
  /** Available to reserve. */
  balance: Micros;
  /** Sum of open holds. */
  held: Micros;
  openHolds: number;
  /** Totals since creation, for the invariant: credited - billed = balance + held. */
  credited: Micros;
  billed: Micros;
}

/**
 * One record per request. A request that reached admission writes its event in the same atomic step as its
 * settle/void/expire; a request refused at or before admission writes one on its own through `Ledger.record`.
 */
export interface UsageEvent {
  requestId: string;
  at: number;
  tenantId: string;
  keyId: string;
  taskId?: string;
  feature?: string;
  route?: string;
  model?: string;
  provider?: string;
  inputTokens: number;
  outputTokens: number;
  cost: Micros;
  cache: "hit" | "miss" | "bypass" | "shadow" | "none";
  latencyMs: number;
  status: number;
  policyVersion: string;
  flags: string[];
  /** Present on the audit event of a tool call (src/tools): one per call, refused and failed ones included. */
  tool?: ToolAudit;
  /** Upstream calls this request made, retries and fallbacks included. */
  attempts?: number;
  /** The answer came from a target other than the plan's first choice. */
  fallback?: boolean;
  /** Prompt tokens the upstream reported as read from its prompt cache (part of inputTokens). */
  cachedTokens?: number;
  /** Prompt tokens the upstream reported as written to its prompt cache (part of inputTokens). */
  cacheWriteTokens?: number;
  /** How the model was chosen, when more than the named alias decided it (analytics and replay read it). */
  routing?: RoutingRecord;
  /** What the routing decision saw, recorded so `gateway simulate` can replay the request against another policy. */
  routingInputs?: RoutingInputs;
  /** `batch` for an item of a batch job; absent for interactive requests. */
  mode?: "batch";
}

/** The routing decision of one request, as recorded on its usage event (fields: src/routing/plan.ts). */
export type RoutingRecord = TierDecision;

/** Request attributes routing reads (cheap to record, no prompt text). */
export interface RoutingInputs {
  /** What the request named in `model` (a route or an alias), so a replay asks the candidate policy the same. */
  requested?: string;
  estimatedTokens: number;
  hasTools: boolean;
  turns: number;
  hasResponseFormat: boolean;
  taskType?: string;
}

/** What a tool call's audit event records beyond the usage fields (never the arguments themselves). */
export interface ToolAudit {
  /** The name as requested (non-printable characters escaped), so refused look-alikes stay visible. */
  name: string;
  decision: "executed" | "refused" | "failed";
  /** The error code of a refused or failed call. */
  reason?: string;
  /** SHA-256 (hex) of the argument JSON text: as received when a string, else the object's JSON.stringify. */
  argsSha256: string;
  /** The tool's HTTP status (0 when no request was sent or no answer came). */
  toolStatus: number;
  /** Response bytes read (after decompression). */
  bytes: number;
  /** Whether the call came from `POST /v1/tools/{name}/invoke` or the gateway's tool loop. */
  origin: "invoke" | "loop";
}

export interface KeyRecord {
  keyId: string;
  tenantId: string;
  /** Lower-case hex SHA-256 of the full key; the key itself is never stored. */
  hash: string;
  /** First characters of the key, for display (`sk-gw-AbC1…`). */
  prefix: string;
  name?: string;
  createdAt: number;
  expiresAt?: number;
  revokedAt?: number;
  /** Routes this key may use (subset of its tenant's); absent = all of the tenant's. */
  routes?: string[];
  scopes?: string[];
  /** Feature tags attached to usage events. */
  tags?: string[];
}

export interface Ledger {
  admit(req: AdmitRequest): Promise<AdmitResult>;
  settle(req: SettleRequest): Promise<SettleResult>;
  void(req: VoidRequest): Promise<VoidResult>;
  /** Adds (or with a negative amount, removes — never below zero) credits; idempotent per `reference`. */
  credit(
    keyId: string,
    tenantId: string,
    amount: Micros,
    reference: string,
    type: "topup" | "adjust",
  ): Promise<Balance>;
  balance(keyId: string, tenantId: string): Promise<Balance>;
  entries(keyId: string, tenantId: string, opts?: { limit?: number; beforeSeq?: number }): Promise<LedgerEntry[]>;
  usage(tenantId: string, opts?: { limit?: number; keyId?: string; since?: number }): Promise<UsageEvent[]>;
  /** Bills every hold past its expiry (flag `expired`); returns how many it resolved. */
  sweep(now?: number): Promise<number>;
  /**
   * Adds tool calls to a task's budget (tool proxies); refuses when the task's max_tool_calls is reached. `keyId`
   * (the key running the task) places the task on a sharded Durable Object tenant, where it is required.
   */
  recordToolCall(tenantId: string, taskId: string, limits: TaskLimits, keyId?: string): Promise<{ ok: boolean }>;
  /**
   * Appends a standalone usage event (a request refused at or before admission, so no hold will ever write one) to
   * the tenant's and the key's usage lists, as given. Idempotent per (tenantId, requestId): a second record of the
   * same request id changes nothing and answers `duplicate`. Never touches balances, holds or entries.
   */
  record(event: UsageEvent): Promise<RecordResult>;
}

export type RecordResult = { kind: "recorded" } | { kind: "duplicate" };

/**
 * Gateway API keys look like `gw_<keyId>_<secret>`: the key id inside lets a lookup cost one store read (the record
 * by id), after which the presented key's SHA-256 is compared in constant time with the stored hash. A malformed key
 * costs no store read at all.
 */
export interface KeyStore {
  /** Fails (returns false) when the key id already exists. */
  create(record: KeyRecord): Promise<boolean>;
  get(keyId: string): Promise<KeyRecord | undefined>;
  list(tenantId: string): Promise<KeyRecord[]>;
  revoke(keyId: string, at: number): Promise<KeyRecord | undefined>;
}

/** Thrown by a backend that cannot reach its store; admission maps it to 503 and no upstream call is made. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreUnavailableError";
  }
}

/** One page of a tenant's usage events, newest first; `next` continues after the last event (absent: no more). */
export interface UsagePage {
  events: UsageEvent[];
  next?: string;
}

export interface UsagePageQuery {
  /** Events per page, 1-1000. A page may hold fewer (even none) and still have a `next`. */
  limit: number;
  keyId?: string;
  /** From a previous page's `next`; opaque, backend-specific. */
  cursor?: string;
  /** Events with `at` in [from, to). */
  from?: number;
  to?: number;
}

/**
 * Pages through ALL of a tenant's usage events with a cursor (Ledger.usage reads only the newest 1,000). A cursor
 * stays valid while new events arrive: it names a position among older events, never an offset from the newest.
 */
export interface UsagePager {
  page(tenantId: string, q: UsagePageQuery): Promise<UsagePage>;
}

/** A cursor this backend did not issue (or a corrupted one): the API answers 400. */
export class InvalidCursorError extends Error {
  constructor() {
    super("invalid cursor");
    this.name = "InvalidCursorError";
  }
}
