import { beforeAll, describe, expect, it } from "vitest";
import {
  type Account,
  type Backend,
  type BackendName,
  chat,
  chatBody,
  fakeCalls,
  holdFor,
  makeBackend,
  newAccount,
  settled,
} from "../helpers/billing";
import { nonce } from "../helpers/gateway";
import { checkInvariant } from "./ledger/invariant";

const FUNDS = 1_000_000_000;

/** t-limited (auth.yaml): plan `metered`, key limit 10 requests and 50,000 tokens a minute, task budget 3 calls. */
const LIMITED = "t-limited";

async function call(b: Backend, a: Account, body: unknown, headers: Record<string, string> = {}) {
  const res = await chat(b, a, body, headers);
  const text = await res.text();
  return { res, status: res.status, text };
}

function codeOf(text: string): string | undefined {
  return (JSON.parse(text) as { error?: { code?: string } }).error?.code;
}

describe.each<BackendName>(["durable-object", "upstash"])("rate limits and task budgets (%s)", (name) => {
  let b: Backend;
  beforeAll(async () => {
    b = await makeBackend(name);
  });

  it("a key over its requests-per-minute limit gets 429 rate_limited with Retry-After and x-ratelimit-*", async () => {
    const n = nonce("rpm");
    const account = await newAccount(b, FUNDS, LIMITED);
    for (let i = 0; i < 10; i++) {
      const r = await call(b, account, chatBody("m-openai", `rpm ${i} ${n}`, { max_tokens: 16 }));
      expect(r.status, r.text).toBe(200);
      if (i === 0) {
        expect(r.res.headers.get("x-ratelimit-limit-requests")).toBe("10");
        expect(r.res.headers.get("x-ratelimit-remaining-requests")).toBe("9");
        expect(r.res.headers.get("x-ratelimit-limit-tokens")).toBe("50000");
      }
    }
    const over = await call(b, account, chatBody("m-openai", `rpm over ${n}`, { max_tokens: 16 }));
    expect(over.status).toBe(429);
    expect(codeOf(over.text)).toBe("rate_limited");
    const retryAfter = Number(over.res.headers.get("retry-after"));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(over.res.headers.get("x-ratelimit-limit-requests")).toBe("10");
    expect(over.res.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    expect(over.res.headers.get("x-ratelimit-reset-requests")).toMatch(/^\d+s$/);
    expect(await fakeCalls(`rpm over ${n}`)).toEqual([]);
    await settled(b, account);
    const entries = await b.ledger.entries(account.keyId, account.tenantId, { limit: 100 });
    expect(entries.filter((e) => e.type === "reserve")).toHaveLength(10);
    await checkInvariant(b.ledger, account.keyId, account.tenantId, { atRest: true });
  });

  it("tokens per minute count the prompt and the granted output: the 4th 16k-token request is refused", async () => {
    const n = nonce("tpm");
    const account = await newAccount(b, FUNDS, LIMITED);
    for (let i = 0; i < 3; i++) {
      const r = await call(b, account, chatBody("m-openai", `tpm ${i} ${n}`, { max_tokens: 16_000 }));
      expect(r.status, r.text).toBe(200);
    }
    const over = await call(b, account, chatBody("m-openai", `tpm over ${n}`, { max_tokens: 16_000 }));
    expect(over.status).toBe(429);
    expect(codeOf(over.text)).toBe("rate_limited");
    expect(over.res.headers.get("x-ratelimit-limit-tokens")).toBe("50000");
    expect(over.res.headers.get("retry-after")).not.toBeNull();
    // A small request still fits in what is left of the minute.
    const small = await call(b, account, chatBody("m-openai", `tpm small ${n}`, { max_tokens: 16 }));
    expect(small.status, small.text).toBe(200);
    await settled(b, account);
  });

  it("a tenant-wide limit is shared by all of the tenant's keys", async () => {
    const n = nonce("tenant");
    const a1 = await newAccount(b, FUNDS, "t-billing-shared");
    const a2 = await newAccount(b, FUNDS, "t-billing-shared");
    for (const [i, a] of [a1, a2, a1, a2].entries()) {
      const r = await call(b, a, chatBody("b-chat", `shared ${i} ${n}`, { max_tokens: 20 }));
      expect(r.status, r.text).toBe(200);
    }
    for (const a of [a1, a2]) {
      const over = await call(b, a, chatBody("b-chat", `shared over ${a.keyId} ${n}`, { max_tokens: 20 }));
      expect(over.status).toBe(429);
      expect(codeOf(over.text)).toBe("rate_limited");
      expect(over.text).toContain("tenant");
      expect(over.res.headers.get("x-ratelimit-limit-requests")).toBe("4");
    }
    expect(await fakeCalls(`over ${a1.keyId} ${n}`)).toEqual([]);
    expect(await fakeCalls(`over ${a2.keyId} ${n}`)).toEqual([]);
    await settled(b, a1);
    await settled(b, a2);
  });

  it("a task is stopped after the plan's max_calls (task_budget_exceeded); other tasks are not", async () => {
    const n = nonce("task");
    const account = await newAccount(b, FUNDS, LIMITED);
    const task = { "x-gateway-task-id": `task-${n}` };
    for (let i = 0; i < 3; i++) {
      const r = await call(b, account, chatBody("m-openai", `step ${i} ${n}`, { max_tokens: 16 }), task);
      expect(r.status, r.text).toBe(200);
    }
    const over = await call(b, account, chatBody("m-openai", `step 3 ${n}`, { max_tokens: 16 }), task);
    expect(over.status).toBe(429);
    expect(codeOf(over.text)).toBe("task_budget_exceeded");
    expect(await fakeCalls(`step 3 ${n}`)).toEqual([]);
    const other = await call(b, account, chatBody("m-openai", `step 3 ${n}`, { max_tokens: 16 }), {
      "x-gateway-task-id": `other-${n}`,
    });
    expect(other.status, other.text).toBe(200);
    await settled(b, account);
  });

  it("a task repeating the identical request is stopped (task_loop_detected); without a task id it is not", async () => {
    const n = nonce("loop");
    const account = await newAccount(b, FUNDS, LIMITED);
    const task = { "x-gateway-task-id": `loop-${n}` };
    const body = chatBody("m-openai", `again ${n}`, { max_tokens: 16 });
    for (let i = 0; i < 2; i++) expect((await call(b, account, body, task)).status).toBe(200);
    const third = await call(b, account, body, task);
    expect(third.status).toBe(429);
    expect(codeOf(third.text)).toBe("task_loop_detected");
    expect(await fakeCalls(n)).toHaveLength(2);
    for (let i = 0; i < 3; i++) expect((await call(b, account, body)).status).toBe(200);
    await settled(b, account);
  });

  it("a task's token budget counts settled tokens: the call that would pass max_tokens is refused", async () => {
    const n = nonce("task-tokens");
    const account = await newAccount(b, FUNDS, "t-billing-task-tokens");
    const task = { "x-gateway-task-id": `tt-${n}` };
    let used = 0;
    for (let i = 0; i < 20; i++) {
      const body = chatBody("b-chat", `tokens ${i} ${n}`, { max_tokens: 20 });
      const { promptTokens } = holdFor(body, 20);
      const r = await call(b, account, body, task);
      if (used + promptTokens > 120) {
        expect(r.status, `call ${i} with ${used} tokens used`).toBe(429);
        expect(codeOf(r.text)).toBe("task_budget_exceeded");
        expect(i).toBeGreaterThan(1);
        return;
      }
      expect(r.status, `call ${i} with ${used} tokens used: ${r.text}`).toBe(200);
      await settled(b, account);
      const [seen] = await fakeCalls(`tokens ${i} ${n}`);
      used += (seen?.answer?.promptTokens ?? 0) + (seen?.answer?.completionTokens ?? 0);
    }
    throw new Error("the task's token budget never ran out");
  });

  it("a task's cost budget counts what was charged: the call that would pass max_cost is refused", async () => {
    const n = nonce("task-cost");
    const account = await newAccount(b, FUNDS, "t-billing-task-cost");
    const task = { "x-gateway-task-id": `tc-${n}` };
    const first = chatBody("b-chat", `cost 0 ${n}`, { max_tokens: 20 });
    expect((await call(b, account, first, task)).status).toBe(200);
    const after = await settled(b, account);
    const second = chatBody("b-chat", `cost 1 ${n}`, { max_tokens: 20 });
    // Precondition of the policy numbers (max_cost 80): the first call's charge plus this prompt is over budget.
    expect(after.billed + holdFor(second, 20).promptCost).toBeGreaterThan(80);
    const r = await call(b, account, second, task);
    expect(r.status).toBe(429);
    expect(codeOf(r.text)).toBe("task_budget_exceeded");
    expect(await fakeCalls(`cost 1 ${n}`)).toEqual([]);
  });
});
