import type { SettlementOp } from "../ledger/outbox/types";
import { type AdmitRequest, StoreUnavailableError, type UsageEvent } from "../ledger/types";
import type { ToolConfig } from "../policy/types";
import type { ToolCall, ToolDeps, ToolError } from "./types";

/**
 * A tool call is billed like a model call, through the same two-phase ledger: admission holds `price_per_call` (a
 * fixed cost: no output tokens, so `promptCost` carries it) and applies the key and tenant rate limits to direct
 * invocations (a loop's calls belong to a chat request that was already counted); the hold is then settled at the
 * price when the call executed, or voided. Free tools are admitted too (a zero hold), so every admitted call's audit
 * event is written atomically with its settlement.
 */

export type Admitted = { ok: true } | { ok: false; error: ToolError; release: boolean };

function error(code: ToolError["code"], message: string, headers: Record<string, string> = {}): ToolError {
  return { code, message, param: null, headers };
}

const STORE_DOWN = () =>
  error("store_unavailable", "The credit store is unreachable; the tool was not called.", { "retry-after": "1" });

export async function admitCall(deps: ToolDeps, call: ToolCall, tool: ToolConfig): Promise<Admitted> {
  const tenant = call.principal.tenant;
  const req: AdmitRequest = {
    keyId: call.principal.accountId,
    tenantId: tenant.id,
    requestId: call.requestId,
    promptCost: tool.price_per_call,
    outputPricePerMtok: 0,
    maxOutputTokens: 0,
    minOutputTokens: 0,
    promptTokens: 0,
    limits: call.origin === "invoke" ? { key: tenant.limits.key, tenant: tenant.limits.tenant } : {},
    holdTtlMs: tenant.credits.hold_ttl_s * 1000,
  };
  let result: Awaited<ReturnType<ToolDeps["ledger"]["admit"]>>;
  try {
    result = await deps.ledger.admit(req);
  } catch (err) {
    // The reply may be lost after the hold was made: release it (a void of no hold changes nothing).
    if (err instanceof StoreUnavailableError) return { ok: false, error: STORE_DOWN(), release: true };
    throw err;
  }
  switch (result.kind) {
    case "admitted":
      return { ok: true };
    case "insufficient_credits":
      return {
        ok: false,
        release: false,
        error: error(
          "insufficient_credits",
          `Not enough credits: tool ${tool.name} costs ${result.needed} micro-credits; the balance is ${result.balance}.`,
          { "x-gateway-credits-remaining": String(result.balance) },
        ),
      };
    case "rate_limited": {
      const seconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
      return {
        ok: false,
        release: false,
        error: error("rate_limited", `Rate limit reached for this ${result.state.scope}. Retry after ${seconds} s.`, {
          "retry-after": String(seconds),
        }),
      };
    }
    case "duplicate_request":
      // Call ids are unique: a duplicate is an earlier try whose reply was lost. Release it and refuse, fail closed.
      return { ok: false, error: STORE_DOWN(), release: true };
    default:
      // Idempotency and task outcomes cannot happen: the admission carries neither.
      return { ok: false, error: error("internal_error", "Unexpected admission outcome."), release: true };
  }
}

/** The budget a call counts against: its tool's max_calls_per_task, then the task's max_tool_calls. */
export async function takeTaskBudget(deps: ToolDeps, call: ToolCall, tool: ToolConfig): Promise<ToolError | undefined> {
  const taskId = call.taskId;
  if (taskId === undefined) return undefined;
  const tenant = call.principal.tenant;
  try {
    // Per tool first: should the task-wide count then refuse, the task is spent for good, so the extra per-tool
    // count is never missed. `#` cannot occur in a client's task id (HEADER_TOKEN), so the key is the tool's own.
    if (tool.max_calls_per_task !== undefined) {
      const own = await deps.ledger.recordToolCall(
        tenant.id,
        `${taskId}#tool:${tool.name}`,
        { max_tool_calls: tool.max_calls_per_task },
        call.principal.accountId,
      );
      if (!own.ok) {
        return error(
          "task_budget_exceeded",
          `Tool ${tool.name} may be called at most ${tool.max_calls_per_task} times per task; the task used them all.`,
        );
      }
    }
    const limit = tenant.task_budget?.max_tool_calls;
    const all = await deps.ledger.recordToolCall(
      tenant.id,
      taskId,
      limit === undefined ? {} : { max_tool_calls: limit },
      call.principal.accountId,
    );
    if (!all.ok) {
      return {
        ...error("task_budget_exceeded", "Task budget exhausted (tool_calls); the task is stopped."),
        taskSpent: true,
      };
    }
  } catch (err) {
    if (err instanceof StoreUnavailableError) return STORE_DOWN();
    throw err;
  }
  return undefined;
}

export function settleCall(call: ToolCall, cost: number, usage: UsageEvent): SettlementOp {
  const req = {
    keyId: call.principal.accountId,
    tenantId: call.principal.tenant.id,
    requestId: call.requestId,
    cost,
    inputTokens: 0,
    outputTokens: 0,
    flags: [] as string[],
    usage,
  };
  // The price counts towards the task's cost budget; the call itself was counted by takeTaskBudget.
  return call.taskId === undefined
    ? { kind: "settle", req }
    : { kind: "settle", req: { ...req, task: { id: call.taskId, toolCalls: 0 } } };
}

export function voidCall(call: ToolCall, usage: UsageEvent): SettlementOp {
  return {
    kind: "void",
    req: { keyId: call.principal.accountId, tenantId: call.principal.tenant.id, requestId: call.requestId, usage },
  };
}
