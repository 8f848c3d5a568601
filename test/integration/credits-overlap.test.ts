import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { UsageEvent } from "../../src/ledger/types";
import {
  type Account,
  type Backend,
  type BackendName,
  chat,
  chatBody,
  costOf,
  entriesOf,
  errorCode,
  fakeCalls,
  frontControl,
  makeBackend,
  newAccount,
  requestIdOf,
  settled,
  sseData,
  upstashBackend,
  usageOf,
} from "../helpers/billing";
import { nonce } from "../helpers/gateway";
import { checkInvariant } from "./ledger/invariant";

/** The fixture tenant with credits.overlap_admission on (billing.yaml); `t-billing` has it off, the default. */
const OVERLAP = "t-billing-overlap";

/**
 * Overlapped admission (credits.overlap_admission): a request from an account this isolate recently
 * saw well funded starts its upstream call while its credit reservation is on its way. The ledger still decides:
 * these tests make the isolate's view stale (another isolate, here the test itself, spends the balance) and check
 * that a refusal cancels the upstream call, bills nothing and reaches the client as the usual error.
 */

const FUNDS = 1_000_000_000;
const LEFT = 10;

/** The refused request billed nothing: the balance is back to `left`, nothing is held, the books balance. */
async function expectUnbilled(b: Backend, a: Account, left: number): Promise<void> {
  const balance = await settled(b, a);
  expect(balance.balance).toBe(left);
  expect(balance.held).toBe(0);
  await checkInvariant(b.ledger, a.keyId, a.tenantId, { atRest: true });
}

async function ok(b: Backend, a: Account, body: unknown): Promise<Response> {
  const res = await chat(b, a, body);
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return res;
}

/** The usage event of a request, polled: a refusal's event is written after the response (waitUntil). */
async function usageEventually(b: Backend, a: Account, requestId: string): Promise<UsageEvent | undefined> {
  for (let i = 0; i < 60; i++) {
    const event = await usageOf(b, a, requestId);
    if (event !== undefined) return event;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return undefined;
}

/**
 * A funded account this isolate has just admitted once (so it holds a hint that the account is well funded), whose
 * balance is then cut to `left` behind the Worker's back when `left` is given: the isolate's view is stale.
 */
async function warmAccount(b: Backend, n: string, tenant: string, left?: number): Promise<Account> {
  const account = await newAccount(b, FUNDS, tenant);
  await ok(b, account, chatBody("b-chat", `warm ${n}`, { max_tokens: 20 }));
  await settled(b, account);
  if (left !== undefined) await drain(b, account, left);
  return account;
}

/** Spends all but `left` of the account's balance behind the Worker's back, as another isolate would. */
async function drain(b: Backend, a: Account, left: number): Promise<void> {
  const { balance } = await b.ledger.balance(a.keyId, a.tenantId);
  await b.ledger.credit(a.keyId, a.tenantId, left - balance, `drain-${nonce()}`, "adjust");
}

describe.each<BackendName>(["durable-object", "upstash"])("overlapped admission (%s)", (name) => {
  let b: Backend;
  beforeAll(async () => {
    b = await makeBackend(name);
  });

  it("a stale view of the balance: 402, the started upstream call is not billed, nothing is held", async () => {
    const n = nonce("stale");
    const account = await warmAccount(b, n, OVERLAP, LEFT);

    const res = await chat(b, account, chatBody("b-chat", `refused ${n}`, { max_tokens: 20 }));
    expect(res.status).toBe(402);
    expect(await errorCode(res)).toBe("insufficient_credits");
    expect(res.headers.get("x-gateway-credits-remaining")).toBe(String(LEFT));
    // Whether the cancelled call reached the upstream is a race; it was sent at most once (the serial retry
    // after the refusal is refused before any call).
    expect((await fakeCalls(`refused ${n}`)).length).toBeLessThanOrEqual(1);
    await expectUnbilled(b, account, LEFT);
    expect(await entriesOf(b, account, requestIdOf(res))).toEqual([]);
    const usage = await usageEventually(b, account, requestIdOf(res));
    expect(usage?.status).toBe(402);
    expect(usage?.cost).toBe(0);
    expect(usage?.flags).toEqual(["refused:insufficient_credits", "overlap_cancelled"]);
  });

  it("a streamed request refused after its upstream started: a 402 JSON error, not a stream", async () => {
    const n = nonce("stale-stream");
    const account = await warmAccount(b, n, OVERLAP, LEFT);

    const res = await chat(b, account, chatBody("b-chat", `refused ${n}`, { max_tokens: 20, stream: true }));
    expect(res.status).toBe(402);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(await errorCode(res)).toBe("insufficient_credits");
    await expectUnbilled(b, account, LEFT);
  });

  it("refused for the full max_tokens but enough for fewer: admitted again the usual way, max_tokens lowered", async () => {
    const n = nonce("clamp");
    // Room for the prompt and about 100 output tokens, far below the 4,000 asked.
    const account = await warmAccount(b, n, OVERLAP, 400);

    const res = await chat(b, account, chatBody("b-chat", `clamped ${n}`, { max_tokens: 4000 }));
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(res.headers.get("x-gateway-max-tokens-clamped")).not.toBeNull();
    const calls = await fakeCalls(`clamped ${n}`);
    // The call that served the answer asked for the lowered max_tokens (a cancelled first call may precede it).
    const served = calls[calls.length - 1]?.body as { max_tokens?: number };
    expect(served.max_tokens).toBeLessThan(4000);
    const balance = await settled(b, account);
    expect(balance.held).toBe(0);
    expect(balance.balance).toBeGreaterThanOrEqual(0);
    const usage = await usageOf(b, account, requestIdOf(res));
    expect(usage?.status).toBe(200);
    expect(usage?.cost).toBe(costOf(usage?.inputTokens ?? 0, usage?.outputTokens ?? 0));
    await checkInvariant(b.ledger, account.keyId, account.tenantId, { atRest: true });
  });

  it("an account with overlap off (the default) never calls the upstream before its hold exists", async () => {
    const n = nonce("serial");
    const account = await warmAccount(b, n, "t-billing", LEFT);
    const res = await chat(b, account, chatBody("b-chat", `refused ${n}`, { max_tokens: 20 }));
    expect(res.status).toBe(402);
    await res.text();
    expect(await fakeCalls(`refused ${n}`)).toEqual([]);
    expect((await usageEventually(b, account, requestIdOf(res)))?.flags).toEqual(["refused:insufficient_credits"]);
  });

  it("requests with an Idempotency-Key or a task id are admitted before their upstream call", async () => {
    const n = nonce("keyed");
    const account = await warmAccount(b, n, OVERLAP, LEFT);
    const idem = await chat(b, account, chatBody("b-chat", `idem ${n}`, { max_tokens: 20 }), {
      "idempotency-key": `k-${n}`,
    });
    expect(idem.status).toBe(402);
    await idem.text();
    // The refusal forgot the account; fund it again and warm the hint before the task request.
    await b.ledger.credit(account.keyId, account.tenantId, FUNDS, `refund-${n}`, "topup");
    await ok(b, account, chatBody("b-chat", `rewarm ${n}`, { max_tokens: 20 }));
    await settled(b, account);
    await drain(b, account, LEFT);
    const task = await chat(b, account, chatBody("b-chat", `task ${n}`, { max_tokens: 20 }), {
      "x-gateway-task-id": `task-${n}`,
    });
    expect(task.status).toBe(402);
    await task.text();
    expect(await fakeCalls(`idem ${n}`)).toEqual([]);
    expect(await fakeCalls(`task ${n}`)).toEqual([]);
  });

  it("well-funded streams and JSON answers are billed exactly as before, one hold each", async () => {
    const n = nonce("funded");
    const account = await newAccount(b, FUNDS, OVERLAP);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(requestIdOf(await ok(b, account, chatBody("b-chat", `json ${i} ${n}`, { max_tokens: 20 }))));
      const stream = await chat(b, account, chatBody("b-chat", `stream ${i} ${n}`, { max_tokens: 20, stream: true }));
      expect(stream.status).toBe(200);
      const data = await sseData(stream);
      expect(data[data.length - 1]).toBe("[DONE]");
      ids.push(requestIdOf(stream));
    }
    await settled(b, account);
    for (const id of ids) {
      const types = (await entriesOf(b, account, id)).map((e) => e.type);
      expect(types).toEqual(["reserve", "settle"]);
    }
    await checkInvariant(b.ledger, account.keyId, account.tenantId, { atRest: true });
  }, 60_000);
});

/** Long enough that the upstream surely sees the call before the store answers (an ordering check, not a timing one). */
const SLOW_MS = 1500;

/** Polls `read` until `done` holds (at most ~SLOW_MS), then returns the last value read. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + SLOW_MS;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("overlapped admission with a slow credit store (upstash, its own redis-server)", () => {
  let b: Backend;
  beforeAll(async () => {
    b = await upstashBackend({ instance: "credits-overlap-slow" });
  });
  afterEach(async () => {
    await frontControl(b, "delay?ms=0");
  });

  it("the upstream call starts before the reservation lands, and the answer waits for it", async () => {
    const n = nonce("slow");
    const account = await warmAccount(b, n, OVERLAP);
    await frontControl(b, `delay?ms=${SLOW_MS}`);
    let answered = false;
    const pending = chat(b, account, chatBody("b-chat", `overlapped ${n}`, { max_tokens: 20 })).then((res) => {
      answered = true;
      return res;
    });
    // The upstream sees the call while the store still sits on the reservation's reply...
    const calls = await until(
      () => fakeCalls(`overlapped ${n}`),
      (c) => c.length > 0,
    );
    expect(calls).toHaveLength(1);
    expect(answered).toBe(false);
    // ...and the client gets its answer only after the reservation landed.
    const res = await pending;
    expect(res.status, await res.text()).toBe(200);
    await frontControl(b, "delay?ms=0");
    await settled(b, account);
    expect((await entriesOf(b, account, requestIdOf(res))).map((e) => e.type)).toEqual(["reserve", "settle"]);
    await checkInvariant(b.ledger, account.keyId, account.tenantId, { atRest: true });
  });

  it("the same slow store with a stale view: the upstream was called, the client gets 402, nothing billed", async () => {
    const n = nonce("slow-stale");
    const account = await warmAccount(b, n, OVERLAP, LEFT);
    await frontControl(b, `delay?ms=${SLOW_MS}`);
    const res = await chat(b, account, chatBody("b-chat", `refused ${n}`, { max_tokens: 20 }));
    expect(res.status).toBe(402);
    await res.text();
    await frontControl(b, "delay?ms=0");
    expect(await fakeCalls(`refused ${n}`)).toHaveLength(1);
    await expectUnbilled(b, account, LEFT);
  });

  // Last in the file: after a store failure this isolate stops overlapping for 10 s. The client library retries a
  // dropped store connection for a few seconds before the 503, hence the longer timeout.
  it("a store outage: an overlapped call is cancelled and unbilled, and the isolate stops overlapping", async () => {
    const n = nonce("outage");
    const account = await newAccount(b, FUNDS, OVERLAP);
    await ok(b, account, chatBody("b-chat", `warm ${n}`, { max_tokens: 20 }));
    const before = await settled(b, account);
    await frontControl(b, "down");
    try {
      const first = await chat(b, account, chatBody("b-chat", `first ${n}`, { max_tokens: 20 }));
      expect(first.status).toBe(503);
      expect(await errorCode(first)).toBe("store_unavailable");
      expect((await fakeCalls(`first ${n}`)).length).toBeLessThanOrEqual(1);
      const second = await chat(b, account, chatBody("b-chat", `second ${n}`, { max_tokens: 20 }));
      expect(second.status).toBe(503);
      await second.text();
      expect(await fakeCalls(`second ${n}`)).toEqual([]);
    } finally {
      await frontControl(b, "up");
    }
    const after = await settled(b, account);
    expect(after.balance).toBe(before.balance);
    expect(after.billed).toBe(before.billed);
    await checkInvariant(b.ledger, account.keyId, account.tenantId, { atRest: true });
  }, 60_000);
});
