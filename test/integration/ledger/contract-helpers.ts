/**
 * Shared vocabulary of the ledger contract suite: the factory/case types, fresh accounts, request builders and a
 * kind-narrowing assertion. Every case builds its own accounts from random ids, so cases never interfere and a
 * backend needs no reset between them.
 */
import { expect } from "vitest";
import { seededRandom as seeded } from "../../../scripts/eval/random";
import type {
  AdmitRequest,
  Balance,
  KeyStore,
  Ledger,
  LedgerEntry,
  SettleRequest,
  UsageEvent,
  VoidRequest,
} from "../../../src/ledger/types";

export interface LedgerFactory {
  name: string;
  /**
   * How tenant-wide limits and task budgets hold across a tenant's keys: `exact` (default: one atomic check for the
   * whole tenant), or `per-shard` (a sharded ledger: each shard enforces its share of a tenant-wide rate limit, and a
   * task's budget counts per key). Cases that pin the exact reading declare `requiresExactTenantWide`.
   */
  tenantWide?: "exact" | "per-shard";
  make(): Promise<{ ledger: Ledger; keys: KeyStore; close?(): Promise<void> }>;
  /** optional: control of the store for fault tests */
  faults?: {
    down(): Promise<void>;
    up(): Promise<void>;
    /** The next `count` calls reach the store and run, but their replies are lost (the caller sees a failure). */
    loseReplies?(count: number): Promise<void>;
  };
}

export interface ContractContext {
  ledger: Ledger;
  keys: KeyStore;
  faults?: LedgerFactory["faults"];
}

export interface ContractCase {
  name: string;
  timeoutMs?: number;
  /** Runs only when the factory offers `faults`. */
  requiresFaults?: boolean;
  /** Runs only on factories whose tenant-wide limits and task budgets are exact across keys (see `tenantWide`). */
  requiresExactTenantWide?: boolean;
  run(ctx: ContractContext): Promise<void>;
}

export interface ContractGroup {
  name: string;
  cases: ContractCase[];
}

/**
 * Holds that must not be swept live 10 minutes. The suite only ever sweeps with `now <= Date.now() + SWEEP_AHEAD_MS`,
 * so only holds created with SHORT_HOLD_TTL_MS are swept; anything else sharing the store should use TTLs above
 * SWEEP_AHEAD_MS too, or the suite's sweeps will bill its holds.
 */
export const LONG_HOLD_TTL_MS = 600_000;
export const SHORT_HOLD_TTL_MS = 30_000;
export const SWEEP_AHEAD_MS = 60_000;
export const IDEMPOTENCY_TTL_MS = 600_000;
export const TASK_TTL_MS = 600_000;

export interface Account {
  keyId: string;
  tenantId: string;
}

export function uid(prefix: string): string {
  return `${prefix}-${crypto.randomUUID()}`;
}

/** A never-used key; pass a tenant id to put a second key in the same tenant. */
export function freshAccount(tenantId: string = uid("tenant")): Account {
  return { keyId: uid("key"), tenantId };
}

export async function fund(ledger: Ledger, a: Account, amount: number): Promise<Balance> {
  return ledger.credit(a.keyId, a.tenantId, amount, uid("ref"), "topup");
}

/** Defaults: prompt 1000 µ, output at 2 credits/Mtok, up to 1000 tokens (reserve 3000 µ), no limits, long TTL. */
export function admitReq(a: Account, over: Partial<AdmitRequest> = {}): AdmitRequest {
  return {
    keyId: a.keyId,
    tenantId: a.tenantId,
    requestId: uid("req"),
    promptCost: 1000,
    outputPricePerMtok: 2_000_000,
    maxOutputTokens: 1000,
    minOutputTokens: 1,
    promptTokens: 100,
    limits: {},
    holdTtlMs: LONG_HOLD_TTL_MS,
    ...over,
  };
}

/** The reserve of admitReq's defaults. */
export const DEFAULT_RESERVE = 3000;

export function usageFor(a: Account, requestId: string, over: Partial<UsageEvent> = {}): UsageEvent {
  return {
    requestId,
    at: Date.now(),
    tenantId: a.tenantId,
    keyId: a.keyId,
    route: "r-test",
    model: "m-test",
    provider: "p-test",
    inputTokens: 10,
    outputTokens: 20,
    cost: 0,
    cache: "miss",
    latencyMs: 5,
    status: 200,
    policyVersion: "pv-test",
    flags: [],
    ...over,
  };
}

export function settleReq(
  a: Account,
  requestId: string,
  cost: number,
  over: Partial<SettleRequest> = {},
): SettleRequest {
  return {
    keyId: a.keyId,
    tenantId: a.tenantId,
    requestId,
    cost,
    inputTokens: 10,
    outputTokens: 20,
    flags: [],
    usage: usageFor(a, requestId, { cost }),
    ...over,
  };
}

export function voidReq(a: Account, requestId: string, over: Partial<VoidRequest> = {}): VoidRequest {
  return {
    keyId: a.keyId,
    tenantId: a.tenantId,
    requestId,
    usage: usageFor(a, requestId, { status: 502, outputTokens: 0 }),
    ...over,
  };
}

/** Asserts the discriminant (printing the whole result on failure) and narrows the union. */
export function expectKind<R extends { kind: string }, K extends R["kind"]>(
  result: R,
  kind: K,
): Extract<R, { kind: K }> {
  expect(result.kind, JSON.stringify(result)).toBe(kind);
  return result as Extract<R, { kind: K }>;
}

/** Admits with admitReq defaults (plus overrides) and insists on success. */
export async function admitOk(ledger: Ledger, a: Account, over: Partial<AdmitRequest> = {}) {
  const req = admitReq(a, over);
  const res = expectKind(await ledger.admit(req), "admitted");
  return { req, res };
}

export function entriesFor(all: LedgerEntry[], requestId: string): LedgerEntry[] {
  return all.filter((e) => e.requestId === requestId);
}

export function isTerminal(e: LedgerEntry): boolean {
  return e.type === "settle" || e.type === "void" || e.type === "expire";
}

/**
 * Starts every call in the same macrotask, after all of them have been created, so a backend sees them as
 * simultaneously as the runtime allows.
 */
export async function together<T>(n: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const calls = Array.from({ length: n }, (_, i) => gate.then(() => fn(i)));
  open();
  return Promise.all(calls);
}

/** Deterministic integers below `maxExclusive` (mulberry32), so a failing random run can be replayed from its seed. */
export function prng(seed: number): (maxExclusive: number) => number {
  const next = seeded(seed);
  return (maxExclusive) => Math.floor(next() * maxExclusive);
}
