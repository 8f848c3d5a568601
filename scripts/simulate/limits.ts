import type { RateLimitConfig, TaskBudgetConfig, TenantConfig } from "../../src/policy/types";

/**
 * Rate limits and task budgets replayed over recorded time: sliding one-minute windows per key and per tenant, and
 * per-task counters, counting only what was admitted (as the ledger does). An approximation of the ledger, stated in
 * README: tokens count the prompt estimate plus the output actually produced (the ledger counts the output granted).
 */
const WINDOW_MS = 60_000;

interface Window {
  at: number[];
  tokens: number[];
}

interface TaskState {
  firstAt: number;
  calls: number;
  tokens: number;
  cost: number;
}

export interface Charge {
  at: number;
  tenantId: string;
  keyId: string;
  taskId: string | undefined;
  tokens: number;
  /** Input plus output tokens, for the task's token budget. */
  taskTokens: number;
  cost: number;
}

export class LimitReplay {
  private readonly windows = new Map<string, Window>();
  private readonly tasks = new Map<string, TaskState>();

  /** The refusal reason, or undefined (and the request is counted) when the limits admit it. */
  admit(tenant: TenantConfig, c: Charge): string | undefined {
    const keyWindow = this.window(`key:${c.tenantId}:${c.keyId}`, c.at);
    const tenantWindow = this.window(`tenant:${c.tenantId}`, c.at);
    const refusal =
      overLimit("key", tenant.limits.key, keyWindow, c.tokens) ??
      overLimit("tenant", tenant.limits.tenant, tenantWindow, c.tokens) ??
      this.overBudget(tenant.task_budget, c);
    if (refusal !== undefined) return refusal;
    for (const w of [keyWindow, tenantWindow]) {
      w.at.push(c.at);
      w.tokens.push(c.tokens);
    }
    if (c.taskId !== undefined && tenant.task_budget !== undefined) {
      const task = this.task(c, tenant.task_budget);
      task.calls++;
      task.tokens += c.taskTokens;
      task.cost += c.cost;
    }
    return undefined;
  }

  private window(key: string, now: number): Window {
    let w = this.windows.get(key);
    if (w === undefined) {
      w = { at: [], tokens: [] };
      this.windows.set(key, w);
    }
    while (w.at.length > 0 && (w.at[0] ?? 0) <= now - WINDOW_MS) {
      w.at.shift();
      w.tokens.shift();
    }
    return w;
  }

  private task(c: Charge, budget: TaskBudgetConfig): TaskState {
    const key = `${c.tenantId}:${c.taskId}`;
    let t = this.tasks.get(key);
    if (t === undefined || c.at - t.firstAt > budget.ttl_s * 1000) {
      t = { firstAt: c.at, calls: 0, tokens: 0, cost: 0 };
      this.tasks.set(key, t);
    }
    return t;
  }

  private overBudget(budget: TaskBudgetConfig | undefined, c: Charge): string | undefined {
    if (budget === undefined || c.taskId === undefined) return undefined;
    const t = this.task(c, budget);
    if (budget.max_calls !== undefined && t.calls + 1 > budget.max_calls) return "task_budget_exceeded (calls)";
    if (budget.max_tokens !== undefined && t.tokens + c.taskTokens > budget.max_tokens) {
      return "task_budget_exceeded (tokens)";
    }
    if (budget.max_cost !== undefined && t.cost + c.cost > budget.max_cost) return "task_budget_exceeded (cost)";
    return undefined;
  }
}

function overLimit(scope: string, limit: RateLimitConfig, w: Window, tokens: number): string | undefined {
  if (limit.requests_per_minute !== undefined && w.at.length + 1 > limit.requests_per_minute) {
    return `rate_limited (${scope} requests/min)`;
  }
  if (limit.tokens_per_minute !== undefined) {
    const used = w.tokens.reduce((a, b) => a + b, 0);
    if (used + tokens > limit.tokens_per_minute) return `rate_limited (${scope} tokens/min)`;
  }
  return undefined;
}
