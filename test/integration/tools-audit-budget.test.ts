// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${VAR}` is the placeholder syntax of tool definitions under test.
import { describe, expect, it } from "vitest";
import { type Ledger, StoreUnavailableError } from "../../src/ledger/types";
import { executeTool } from "../../src/tools";
import {
  errorOf,
  eventsOf,
  harness,
  invoke,
  marker,
  sha256,
  targetRequests,
  targetTool,
  toolKey,
  upstashLedger,
  workerLedger,
} from "./tools-helpers";

/** Audit events for every decision, budgets (task-wide and per tool), prices and rate limits, on both ledgers. */

describe("task budget", () => {
  it("the tenant's max_tool_calls (6) stops the seventh call of a task, which is never sent", async () => {
    const { key, keyId } = await toolKey({ credits: 100_000 });
    const task = `task-${marker()}`;
    for (let i = 0; i < 6; i++) {
      const res = await invoke("get_weather", { city: `${task}-${i}` }, key, { "x-gateway-task-id": task });
      expect(res.status, `call ${i}`).toBe(200);
    }
    const res = await invoke("get_weather", { city: `${task}-last` }, key, { "x-gateway-task-id": task });
    expect(res.status).toBe(429);
    expect(await errorOf(res)).toMatchObject({ code: "task_budget_exceeded", message: /tool_calls/ });
    expect(await targetRequests(`${task}-last`)).toEqual([]);

    const ledger = workerLedger();
    const [event] = await eventsOf(ledger, "t-tools", keyId, res.headers.get("x-request-id") ?? "");
    expect(event).toMatchObject({
      taskId: task,
      status: 429,
      cost: 0,
      flags: ["tool", "refused:task_budget_exceeded"],
      tool: { decision: "refused", reason: "task_budget_exceeded" },
    });
    // Six executed calls billed, the refused one released.
    for (let i = 0; i < 40 && (await ledger.balance(keyId, "t-tools")).held > 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(await ledger.balance(keyId, "t-tools")).toMatchObject({ balance: 94_000, held: 0 });
  });

  it("another task has its own budget; calls without a task id have none", async () => {
    const { key } = await toolKey();
    const task = `task-${marker()}`;
    for (let i = 0; i < 6; i++) await invoke("echo_post", { message: "x" }, key, { "x-gateway-task-id": task });
    expect((await invoke("echo_post", { message: "x" }, key, { "x-gateway-task-id": task })).status).toBe(429);
    expect((await invoke("echo_post", { message: "x" }, key, { "x-gateway-task-id": `${task}-b` })).status).toBe(200);
    expect((await invoke("echo_post", { message: "x" }, key)).status).toBe(200);
  });

  it("a tool's max_calls_per_task applies to that tool only", async () => {
    const limited = targetTool("limited", { url: "${TOOL_TARGET_URL}/echo/{tag}" }, { max_calls_per_task: 2 });
    const free = targetTool("free", { url: "${TOOL_TARGET_URL}/echo/{tag}" });
    const h = await harness([limited, free]);
    const taskId = `task-${marker()}`;
    for (let i = 0; i < 2; i++) {
      expect((await executeTool(h.deps, h.call("limited", { tag: marker() }, { taskId }))).decision).toBe("executed");
    }
    const tag = marker();
    const third = await executeTool(h.deps, h.call("limited", { tag }, { taskId }));
    expect(third).toMatchObject({
      decision: "refused",
      status: 429,
      error: { code: "task_budget_exceeded", message: /limited/ },
    });
    expect(await targetRequests(tag)).toEqual([]);
    expect((await executeTool(h.deps, h.call("free", { tag: marker() }, { taskId }))).decision).toBe("executed");
    expect((await executeTool(h.deps, h.call("limited", { tag: marker() }, { taskId: `${taskId}-2` }))).decision).toBe(
      "executed",
    );
  });
});

describe("audit events: one per call, whatever the decision", () => {
  it("records tenant, key, task, tool, argument hash, decision, status, bytes and latency — never the arguments", async () => {
    const h = await harness([
      targetTool("ok", { url: "${TOOL_TARGET_URL}/echo/{tag}" }, { price_per_call: 7 }),
      targetTool("slow", { url: "${TOOL_TARGET_URL}/slow?ms=2000&tag={tag}", timeout_ms: 200 }),
    ]);
    const taskId = `task-${marker()}`;
    const cases = [
      { name: "ok", args: JSON.stringify({ tag: marker("executed") }), decision: "executed", status: 200, cost: 7 },
      {
        name: "slow",
        args: { tag: marker("failed") },
        decision: "failed",
        status: 504,
        cost: 0,
        reason: "tool_timeout",
      },
      {
        name: "nope",
        args: { tag: marker("refused") },
        decision: "refused",
        status: 403,
        cost: 0,
        reason: "tool_not_allowed",
      },
    ] as const;
    for (const c of cases) {
      const call = h.call(c.name, c.args, { taskId, feature: "audit-test" });
      const outcome = await executeTool(h.deps, call);
      expect(outcome.decision).toBe(c.decision);
      await outcome.audit;
      const events = await eventsOf(h.ledger, h.principal.tenant.id, h.principal.accountId, call.requestId);
      expect(events, c.name).toHaveLength(1);
      const event = events[0];
      const text = typeof c.args === "string" ? c.args : JSON.stringify(c.args);
      expect(event).toMatchObject({
        tenantId: "t-tools",
        keyId: h.principal.accountId,
        taskId,
        feature: "audit-test",
        status: c.status,
        cost: c.cost,
        latencyMs: outcome.latencyMs,
        tool: {
          name: c.name,
          decision: c.decision,
          argsSha256: await sha256(text),
          bytes: outcome.bytes,
          origin: "invoke",
        },
      });
      if ("reason" in c) expect(event?.tool?.reason).toBe(c.reason);
      expect(outcome.argsSha256).toBe(await sha256(text));
      const tag = (typeof c.args === "string" ? JSON.parse(c.args) : c.args) as { tag: string };
      expect(JSON.stringify(event)).not.toContain(tag.tag);
    }
  });

  it("loop calls are audited with origin loop and skip the request rate limit (their chat request was counted)", async () => {
    const h = await harness([targetTool("ok", { url: "${TOOL_TARGET_URL}/echo/{tag}" })], {
      tenant: { limits: { key: { requests_per_minute: 1 }, tenant: {} } },
    });
    const first = await executeTool(h.deps, h.call("ok", { tag: marker() }));
    expect(first.decision).toBe("executed");
    const limited = await executeTool(h.deps, h.call("ok", { tag: marker() }));
    expect(limited).toMatchObject({ decision: "refused", status: 429, error: { code: "rate_limited" } });
    const call = h.call("ok", { tag: marker() }, { origin: "loop" });
    const loop = await executeTool(h.deps, call);
    expect(loop.decision).toBe("executed");
    await loop.audit;
    const [event] = await eventsOf(h.ledger, "t-tools", h.principal.accountId, call.requestId);
    expect(event?.tool?.origin).toBe("loop");
  });

  it("the executor hands the model an envelope for every outcome", async () => {
    const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };
    const h = await harness([
      targetTool(
        "ok",
        {
          url: "${TOOL_TARGET_URL}/weather/{city}",
          result: { format: "json", fields: ["location.name"], max_chars: 1000 },
        },
        { parameters: schema },
      ),
    ]);
    const ok = await executeTool(h.deps, h.call("ok", { city: "Rome" }));
    expect(JSON.parse(ok.content)).toMatchObject({
      tool: "ok",
      status: 200,
      untrusted_data: { "location.name": "Rome" },
      truncated: false,
    });
    const bad = await executeTool(h.deps, h.call("ok", { city: 5 }));
    expect(JSON.parse(bad.content)).toMatchObject({ tool: "ok", error: { code: "tool_arguments_invalid" } });
  });
});

describe("credits and the store", () => {
  it("a priced call on an unfunded account is refused before the request", async () => {
    const h = await harness([targetTool("paid", { url: "${TOOL_TARGET_URL}/echo/{tag}" }, { price_per_call: 500 })], {
      credits: 0,
    });
    const tag = marker();
    const outcome = await executeTool(h.deps, h.call("paid", { tag }));
    expect(outcome).toMatchObject({ decision: "refused", status: 402, error: { code: "insufficient_credits" } });
    expect(await targetRequests(tag)).toEqual([]);
  });

  it("a failed call is not billed: its hold is voided", async () => {
    const h = await harness([
      targetTool(
        "paid",
        { url: "${TOOL_TARGET_URL}/status/500?tag={tag}", result: { format: "json", max_chars: 100 } },
        { price_per_call: 500 },
      ),
    ]);
    const notJson = targetTool("paid_text", { url: "${TOOL_TARGET_URL}/text?tag={tag}" }, { price_per_call: 500 });
    const h2 = await harness([notJson], { credits: 10_000 });
    const failed = await executeTool(h2.deps, h2.call("paid_text", { tag: marker() }));
    expect(failed).toMatchObject({ decision: "failed", error: { code: "tool_failed" }, cost: 0 });
    await failed.audit;
    expect(await h2.ledger.balance(h2.principal.accountId, "t-tools")).toMatchObject({ balance: 10_000, held: 0 });
    // A tool that answers 500 with JSON did execute: it is billed and its status reported.
    const executed = await executeTool(h.deps, h.call("paid", { tag: marker() }));
    expect(executed).toMatchObject({ decision: "executed", status: 500, cost: 500 });
  });

  it("an unreachable store refuses the call (fail closed), nothing sent", async () => {
    const down: Ledger = new Proxy(workerLedger(), {
      get(target, prop) {
        if (prop === "admit") return () => Promise.reject(new StoreUnavailableError("down"));
        return Reflect.get(target, prop);
      },
    });
    const h = await harness([targetTool("ok", { url: "${TOOL_TARGET_URL}/echo/{tag}" })], { ledger: down });
    const tag = marker();
    const outcome = await executeTool(h.deps, h.call("ok", { tag }));
    expect(outcome).toMatchObject({ decision: "refused", status: 503, error: { code: "store_unavailable" } });
    expect(await targetRequests(tag)).toEqual([]);
  });
});

describe("the Upstash ledger backend carries the same audit events and budgets", () => {
  it("executed and refused calls, and the per-tool budget", async () => {
    const ledger = upstashLedger();
    const tool = targetTool(
      "ok",
      { url: "${TOOL_TARGET_URL}/echo/{tag}" },
      { price_per_call: 3, max_calls_per_task: 1 },
    );
    const h = await harness([tool], { ledger });
    const taskId = `task-${marker()}`;
    const call = h.call("ok", { tag: marker() }, { taskId });
    const executed = await executeTool(h.deps, call);
    expect(executed.decision).toBe("executed");
    await executed.audit;
    const [event] = await eventsOf(ledger, "t-tools", h.principal.accountId, call.requestId);
    expect(event).toMatchObject({ cost: 3, taskId, tool: { name: "ok", decision: "executed", toolStatus: 200 } });

    const second = h.call("ok", { tag: marker() }, { taskId });
    const refused = await executeTool(h.deps, second);
    expect(refused).toMatchObject({ decision: "refused", error: { code: "task_budget_exceeded" } });
    await refused.audit;
    const [refusal] = await eventsOf(ledger, "t-tools", h.principal.accountId, second.requestId);
    expect(refusal).toMatchObject({ cost: 0, tool: { decision: "refused", reason: "task_budget_exceeded" } });
    expect(await ledger.balance(h.principal.accountId, "t-tools")).toMatchObject({ balance: 1_000_000 - 3, held: 0 });
  });
});
