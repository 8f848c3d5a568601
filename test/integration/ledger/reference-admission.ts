/**
 * Admission pieces of the REFERENCE LEDGER (a test oracle, never used by the gateway): grant arithmetic, rate
 * windows and task budgets, each a literal reading of /work/notes/ledger-spec.md. Windows are sliding logs.
 */
import type { AdmitRequest, AdmitResult, RateLimit, RateState, TaskLimits } from "../../../src/ledger/types";

const MINUTE_MS = 60_000;
const MICROS = 1_000_000n;
const DEFAULT_TASK_TTL_MS = 3_600_000;

/** ceil(tokens * price / 1e6), exact for any safe-integer inputs. */
export function outputCost(tokens: number, pricePerMtok: number): number {
  return Number((BigInt(tokens) * BigInt(pricePerMtok) + MICROS - 1n) / MICROS);
}

/** min(maxOutputTokens, floor((balance - promptCost) * 1e6 / price)); unlimited at price 0; 0 when unaffordable. */
export function grantable(balance: number, req: AdmitRequest): number {
  if (balance < req.promptCost) return 0;
  if (req.outputPricePerMtok === 0) return req.maxOutputTokens;
  const affordable = Number((BigInt(balance - req.promptCost) * MICROS) / BigInt(req.outputPricePerMtok));
  return Math.min(req.maxOutputTokens, affordable);
}

interface Hit {
  at: number;
  tokens: number;
}

/** Milliseconds until enough of the oldest hits leave the window to free `excess`. */
function waitFor(hits: Hit[], weigh: (h: Hit) => number, excess: number, now: number): number {
  let freed = 0;
  for (const h of hits) {
    freed += weigh(h);
    if (freed >= excess) return Math.max(1, h.at + MINUTE_MS - now);
  }
  return MINUTE_MS;
}

type Scope = [RateState["scope"], string, RateLimit];

function scopes(req: AdmitRequest): Scope[] {
  const out: Scope[] = [];
  if (req.limits.key) out.push(["key", `key\u0000${req.keyId}`, req.limits.key]);
  if (req.limits.tenant) out.push(["tenant", `tenant\u0000${req.tenantId}`, req.limits.tenant]);
  return out;
}

export class RateWindows {
  private readonly windows = new Map<string, Hit[]>();

  /** The first limit (key before tenant, requests before tokens) this request would exceed. */
  check(req: AdmitRequest, tokens: number, now: number): AdmitResult | undefined {
    for (const [scope, id, limit] of scopes(req)) {
      const hits = this.window(id, now);
      const max = limit.requests_per_minute;
      if (max !== undefined && hits.length + 1 > max) {
        const wait = waitFor(hits, () => 1, hits.length + 1 - max, now);
        const remaining = Math.max(0, max - hits.length);
        return {
          kind: "rate_limited",
          state: { scope, limit: "requests", max, remaining, resetMs: wait },
          retryAfterMs: wait,
        };
      }
      const maxTokens = limit.tokens_per_minute;
      const used = hits.reduce((sum, h) => sum + h.tokens, 0);
      if (maxTokens !== undefined && used + tokens > maxTokens) {
        const wait = waitFor(hits, (h) => h.tokens, used + tokens - maxTokens, now);
        const state: RateState = {
          scope,
          limit: "tokens",
          max: maxTokens,
          remaining: Math.max(0, maxTokens - used),
          resetMs: wait,
        };
        return { kind: "rate_limited", state, retryAfterMs: wait };
      }
    }
    return undefined;
  }

  /** Counts an admitted request and reports what is left of every configured limit. */
  record(req: AdmitRequest, tokens: number, now: number): RateState[] {
    const rate: RateState[] = [];
    for (const [scope, id, limit] of scopes(req)) {
      const hits = this.window(id, now);
      hits.push({ at: now, tokens });
      const resetMs = Math.max(0, (hits[0]?.at ?? now) + MINUTE_MS - now);
      const max = limit.requests_per_minute;
      if (max !== undefined) rate.push({ scope, limit: "requests", max, remaining: max - hits.length, resetMs });
      const maxTokens = limit.tokens_per_minute;
      const used = hits.reduce((sum, h) => sum + h.tokens, 0);
      if (maxTokens !== undefined)
        rate.push({ scope, limit: "tokens", max: maxTokens, remaining: maxTokens - used, resetMs });
    }
    return rate;
  }

  private window(id: string, now: number): Hit[] {
    const hits = (this.windows.get(id) ?? []).filter((h) => h.at > now - MINUTE_MS);
    this.windows.set(id, hits);
    return hits;
  }
}

interface Task {
  calls: number;
  tokens: number;
  cost: number;
  toolCalls: number;
  fingerprints: Map<string, number>;
  ttlMs: number;
  expiresAt: number;
}

export class TaskBook {
  private readonly tasks = new Map<string, Task>();

  check(req: AdmitRequest, now: number): AdmitResult | undefined {
    if (!req.task) return undefined;
    const task = this.live(req.tenantId, req.task.id, now);
    const { max_calls, max_tokens, max_cost, max_identical_calls } = req.task.limits;
    const calls = task?.calls ?? 0;
    if (max_calls !== undefined && calls >= max_calls) return { kind: "task_budget_exceeded", limit: "calls" };
    const tokens = task?.tokens ?? 0;
    if (max_tokens !== undefined && tokens + req.promptTokens > max_tokens) {
      return { kind: "task_budget_exceeded", limit: "tokens" };
    }
    const cost = task?.cost ?? 0;
    if (max_cost !== undefined && cost + req.promptCost > max_cost)
      return { kind: "task_budget_exceeded", limit: "cost" };
    const repeats = task?.fingerprints.get(req.task.fingerprint) ?? 0;
    if (max_identical_calls !== undefined && repeats >= max_identical_calls)
      return { kind: "task_loop_detected", repeats };
    return undefined;
  }

  admitted(req: AdmitRequest, now: number): void {
    if (!req.task) return;
    const task = this.touch(req.tenantId, req.task.id, now, req.task.ttlMs);
    task.calls++;
    task.fingerprints.set(req.task.fingerprint, (task.fingerprints.get(req.task.fingerprint) ?? 0) + 1);
  }

  settled(tenantId: string, taskId: string, used: { tokens: number; cost: number; toolCalls: number }, now: number) {
    const task = this.touch(tenantId, taskId, now);
    task.tokens += used.tokens;
    task.cost += used.cost;
    task.toolCalls += used.toolCalls;
  }

  recordToolCall(tenantId: string, taskId: string, limits: TaskLimits, now: number): boolean {
    const task = this.touch(tenantId, taskId, now);
    if (limits.max_tool_calls !== undefined && task.toolCalls >= limits.max_tool_calls) return false;
    task.toolCalls++;
    return true;
  }

  private live(tenantId: string, taskId: string, now: number): Task | undefined {
    const task = this.tasks.get(`${tenantId}\u0000${taskId}`);
    return task && task.expiresAt > now ? task : undefined;
  }

  /** The task's counters (fresh if absent or expired), kept alive ttlMs after this use. */
  private touch(tenantId: string, taskId: string, now: number, ttlMs?: number): Task {
    const task = this.live(tenantId, taskId, now) ?? {
      calls: 0,
      tokens: 0,
      cost: 0,
      toolCalls: 0,
      fingerprints: new Map<string, number>(),
      ttlMs: DEFAULT_TASK_TTL_MS,
      expiresAt: 0,
    };
    if (ttlMs !== undefined) task.ttlMs = ttlMs;
    task.expiresAt = now + task.ttlMs;
    this.tasks.set(`${tenantId}\u0000${taskId}`, task);
    return task;
  }
}
