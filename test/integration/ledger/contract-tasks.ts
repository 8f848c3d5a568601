/**
 * Contract: task budgets, per (tenantId, task id) — shared by all keys of the tenant, invisible to other tenants.
 *
 * Readings of the spec pinned here:
 * - Calls and fingerprints count at admit; tokens (input + output) and cost (what was CHARGED, so at most the hold)
 *   count at settle. Open holds do not count towards max_tokens / max_cost.
 * - Reaching a limit exactly is allowed (`>` refuses), except calls and identical calls, which refuse once the count
 *   already equals the limit.
 * - task_loop_detected.repeats = how many times the fingerprint was already admitted in the task
 *   (= max_identical_calls when refused).
 * - recordToolCall and settle's `task.toolCalls` feed the same counter; a refused recordToolCall does not count.
 */
import { expect } from "vitest";
import type { AdmitRequest, TaskLimits } from "../../../src/ledger/types";
import {
  admitOk,
  admitReq,
  type ContractGroup,
  expectKind,
  freshAccount,
  fund,
  settleReq,
  TASK_TTL_MS,
  uid,
  voidReq,
} from "./contract-helpers";
import { checkInvariant } from "./invariant";

const FUNDS = 10_000_000;

function taskOf(id: string, limits: TaskLimits, fingerprint: string = uid("fp")): AdmitRequest["task"] {
  return { id, fingerprint, limits, ttlMs: TASK_TTL_MS };
}

export const taskCases: ContractGroup = {
  name: "task budgets",
  cases: [
    {
      name: "max_calls counts admissions across the tenant's keys, not across tenants",
      requiresExactTenantWide: true,
      async run({ ledger }) {
        const a = freshAccount();
        const b = freshAccount(a.tenantId);
        const stranger = freshAccount();
        for (const acc of [a, b, stranger]) await fund(ledger, acc, FUNDS);
        const id = uid("task");
        const limits = { max_calls: 2 };
        await admitOk(ledger, a, { task: taskOf(id, limits) });
        await admitOk(ledger, b, { task: taskOf(id, limits) });
        expect(await ledger.admit(admitReq(a, { task: taskOf(id, limits) }))).toEqual({
          kind: "task_budget_exceeded",
          limit: "calls",
        });
        // Same task id in another tenant is another task.
        await admitOk(ledger, stranger, { task: taskOf(id, limits) });
        // Another task in the same tenant is unaffected.
        await admitOk(ledger, a, { task: taskOf(uid("task"), limits) });
        await checkInvariant(ledger, a.keyId, a.tenantId);
      },
    },
    {
      name: "max_tokens counts settled input + output tokens plus the new prompt",
      async run({ ledger }) {
        const a = freshAccount();
        await fund(ledger, a, FUNDS);
        const id = uid("task");
        const limits = { max_tokens: 1000 };
        const t = (promptTokens: number) => ({ promptTokens, task: taskOf(id, limits) });
        const first = await admitOk(ledger, a, t(100));
        // Unsettled, the first call's tokens do not count yet.
        const unsettled = await admitOk(ledger, a, t(1000));
        expectKind(await ledger.void(voidReq(a, unsettled.req.requestId)), "voided");
        const task = { id, toolCalls: 0 };
        expectKind(
          await ledger.settle(settleReq(a, first.req.requestId, 10, { inputTokens: 400, outputTokens: 500, task })),
          "settled",
        );
        const second = await admitOk(ledger, a, t(100)); // 900 + 100 = 1000: allowed
        expectKind(
          await ledger.settle(settleReq(a, second.req.requestId, 10, { inputTokens: 50, outputTokens: 50, task })),
          "settled",
        );
        expect(await ledger.admit(admitReq(a, t(1)))).toEqual({ kind: "task_budget_exceeded", limit: "tokens" });
        await checkInvariant(ledger, a.keyId, a.tenantId, { atRest: true });
      },
    },
    {
      name: "max_cost counts the charged cost (capped at the hold) plus the new prompt cost",
      async run({ ledger }) {
        const a = freshAccount();
        await fund(ledger, a, FUNDS);
        const id = uid("task");
        const limits = { max_cost: 10_000 };
        const t = (promptCost: number) => ({ promptCost, outputPricePerMtok: 0, task: taskOf(id, limits) });
        const task = { id, toolCalls: 0 };
        // Hold 4000, cost 9999 billed as 4000: the task has used 4000, not 9999.
        const first = await admitOk(ledger, a, t(4000));
        expectKind(await ledger.settle(settleReq(a, first.req.requestId, 9999, { task })), "settled");
        const second = await admitOk(ledger, a, t(6000)); // 4000 + 6000 = 10000: allowed
        expectKind(await ledger.settle(settleReq(a, second.req.requestId, 5000, { task })), "settled");
        const third = await admitOk(ledger, a, t(1000)); // 9000 + 1000 = 10000: allowed
        expectKind(await ledger.settle(settleReq(a, third.req.requestId, 1000, { task })), "settled");
        expect(await ledger.admit(admitReq(a, t(1)))).toEqual({ kind: "task_budget_exceeded", limit: "cost" });
        await checkInvariant(ledger, a.keyId, a.tenantId, { atRest: true });
      },
    },
    {
      name: "max_identical_calls: the same fingerprint repeated is task_loop_detected, other fingerprints pass",
      async run({ ledger }) {
        const a = freshAccount();
        await fund(ledger, a, FUNDS);
        const id = uid("task");
        const limits = { max_identical_calls: 2 };
        await admitOk(ledger, a, { task: taskOf(id, limits, "fp-a") });
        await admitOk(ledger, a, { task: taskOf(id, limits, "fp-b") });
        await admitOk(ledger, a, { task: taskOf(id, limits, "fp-a") });
        const before = await ledger.balance(a.keyId, a.tenantId);
        expect(await ledger.admit(admitReq(a, { task: taskOf(id, limits, "fp-a") }))).toEqual({
          kind: "task_loop_detected",
          repeats: 2,
        });
        expect(await ledger.balance(a.keyId, a.tenantId)).toEqual(before);
        await admitOk(ledger, a, { task: taskOf(id, limits, "fp-b") });
        await admitOk(ledger, a, { task: taskOf(id, limits, "fp-c") });
        // The same fingerprint in another task is independent.
        await admitOk(ledger, a, { task: taskOf(uid("task"), limits, "fp-a") });
        await checkInvariant(ledger, a.keyId, a.tenantId);
      },
    },
    {
      name: "recordToolCall counts up to max_tool_calls, together with the tool calls reported at settle",
      async run({ ledger }) {
        const a = freshAccount();
        await fund(ledger, a, FUNDS);
        const id = uid("task");
        const limits = { max_tool_calls: 3 };
        const { req } = await admitOk(ledger, a, { task: taskOf(id, limits) });
        expectKind(await ledger.settle(settleReq(a, req.requestId, 10, { task: { id, toolCalls: 1 } })), "settled");
        expect(await ledger.recordToolCall(a.tenantId, id, limits, a.keyId)).toEqual({ ok: true });
        expect(await ledger.recordToolCall(a.tenantId, id, limits, a.keyId)).toEqual({ ok: true });
        expect(await ledger.recordToolCall(a.tenantId, id, limits, a.keyId)).toEqual({ ok: false });
        expect(await ledger.recordToolCall(a.tenantId, id, limits, a.keyId)).toEqual({ ok: false });
        // A refused call did not count: a higher limit has exactly one more slot.
        expect(await ledger.recordToolCall(a.tenantId, id, { max_tool_calls: 4 }, a.keyId)).toEqual({ ok: true });
        expect(await ledger.recordToolCall(a.tenantId, id, { max_tool_calls: 4 }, a.keyId)).toEqual({ ok: false });
        // Without max_tool_calls there is nothing to refuse; another tenant's task of the same id is separate.
        expect(await ledger.recordToolCall(a.tenantId, id, {}, a.keyId)).toEqual({ ok: true });
        expect(await ledger.recordToolCall(uid("tenant"), id, limits, a.keyId)).toEqual({ ok: true });
      },
    },
  ],
};
