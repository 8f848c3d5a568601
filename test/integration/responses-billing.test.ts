import { beforeAll, describe, expect, it } from "vitest";
import {
  type Account,
  type Backend,
  type BackendName,
  costOf,
  entriesOf,
  fakeCalls,
  makeBackend,
  newAccount,
  request,
  requestIdOf,
  settled,
  usageOf,
} from "../helpers/billing";
import { nonce } from "../helpers/gateway";
import { checkInvariant } from "./ledger/invariant";
import { type ResponseJson, type ResponsesEvent, responsesEvents } from "./responses-helpers";

/**
 * /v1/responses goes through the chat path's money logic unchanged: one hold, settled once at the upstream's own
 * token counts, one usage event, on both ledger backends and for every upstream dialect.
 */

const FUNDS = 10_000_000;

function responses(b: Backend, a: Account, body: unknown, headers: Record<string, string> = {}) {
  return b.fetch(request(a, "/v1/responses", body, headers));
}

describe.each<BackendName>(["durable-object", "upstash"])("/v1/responses billing (%s)", (name) => {
  let b: Backend;
  beforeAll(async () => {
    b = await makeBackend(name);
  });

  it.each(["b-chat", "b-anthropic"])("a JSON answer from %s is billed once at the upstream's usage", async (model) => {
    const n = nonce("resp-bill");
    const account = await newAccount(b, FUNDS);
    const res = await responses(b, account, { model, input: `bill ${n}`, max_output_tokens: 100 });
    expect(res.status).toBe(200);
    const body = (await res.json()) as ResponseJson;
    const [call] = await fakeCalls(n);
    const expected = costOf(call?.answer?.promptTokens ?? -1, call?.answer?.completionTokens ?? -1);
    expect(body.usage).toMatchObject({
      input_tokens: call?.answer?.promptTokens,
      output_tokens: call?.answer?.completionTokens,
    });
    expect(res.headers.get("x-gateway-cost")).toBe(String(expected));
    await settled(b, account);
    const entries = await entriesOf(b, account, requestIdOf(res));
    expect(entries.map((e) => e.type)).toEqual(["reserve", "settle"]);
    expect(entries[1]?.charged).toBe(expected);
    expect(await usageOf(b, account, requestIdOf(res))).toMatchObject({ cost: expected, status: 200 });
    await checkInvariant(b.ledger, account.keyId, account.tenantId, { atRest: true });
  });

  it.each(["b-chat", "b-anthropic"])(
    "a stream from %s is billed once, and response.completed carries the usage billed",
    async (model) => {
      const n = nonce("resp-bill-stream");
      const account = await newAccount(b, FUNDS);
      const res = await responses(b, account, { model, input: `bill ${n}`, stream: true, max_output_tokens: 100 });
      expect(res.status).toBe(200);
      const events = await responsesEvents(res);
      const done = events.at(-1) as ResponsesEvent & { response: ResponseJson };
      expect(done.type).toBe("response.completed");
      const [call] = await fakeCalls(n);
      const expected = costOf(call?.answer?.promptTokens ?? -1, call?.answer?.completionTokens ?? -1);
      expect(done.response.usage).toMatchObject({
        input_tokens: call?.answer?.promptTokens,
        output_tokens: call?.answer?.completionTokens,
      });
      await settled(b, account);
      const entries = await entriesOf(b, account, requestIdOf(res));
      expect(entries.map((e) => e.type)).toEqual(["reserve", "settle"]);
      expect(entries[1]?.charged).toBe(expected);
      await checkInvariant(b.ledger, account.keyId, account.tenantId, { atRest: true });
    },
  );

  it("a stream cut by an upstream failure is billed for what was delivered, once", async () => {
    const account = await newAccount(b, FUNDS);
    const res = await responses(b, account, { model: "b-err-mid", input: `cut ${nonce()}`, stream: true });
    const events = await responsesEvents(res);
    expect(events.at(-1)?.type).toBe("response.failed");
    await settled(b, account);
    const entries = await entriesOf(b, account, requestIdOf(res));
    expect(entries.map((e) => e.type)).toEqual(["reserve", "settle"]);
    expect(entries[1]?.charged).toBeGreaterThan(0);
    await checkInvariant(b.ledger, account.keyId, account.tenantId, { atRest: true });
  });

  it("an Idempotency-Key replays the stored response object: no second upstream call, no second charge", async () => {
    const n = nonce("resp-idem");
    const account = await newAccount(b, FUNDS);
    const body = { model: "b-chat", input: `once ${n}`, max_output_tokens: 50 };
    const headers = { "idempotency-key": `idem-${n}` };
    const first = await responses(b, account, body, headers);
    const firstText = await first.text();
    await settled(b, account);
    const again = await responses(b, account, body, headers);
    expect(again.status).toBe(200);
    expect(await again.text()).toBe(firstText);
    expect((JSON.parse(firstText) as ResponseJson).object).toBe("response");
    expect(await fakeCalls(n)).toHaveLength(1);
    const entries = await entriesOf(b, account, requestIdOf(first));
    expect(entries.map((e) => e.type)).toEqual(["reserve", "settle"]);
    await checkInvariant(b.ledger, account.keyId, account.tenantId, { atRest: true });
  });

  it("a task's cost budget counts /v1/responses calls like chat calls", async () => {
    const n = nonce("resp-task");
    const account = await newAccount(b, FUNDS, "t-billing-task-cost");
    const task = { "x-gateway-task-id": `rt-${n}` };
    expect(
      (await responses(b, account, { model: "b-chat", input: `cost 0 ${n}`, max_output_tokens: 20 }, task)).status,
    ).toBe(200);
    await settled(b, account);
    const over = await responses(b, account, { model: "b-chat", input: `cost 1 ${n}`, max_output_tokens: 20 }, task);
    expect(over.status).toBe(429);
    expect(((await over.json()) as { error: { code: string } }).error.code).toBe("task_budget_exceeded");
    expect(await fakeCalls(`cost 1 ${n}`)).toEqual([]);
  });

  it("a refused request reserves nothing and is recorded as a refusal", async () => {
    const account = await newAccount(b, FUNDS);
    const res = await responses(b, account, { model: "b-chat", input: "x", store: true });
    expect(res.status).toBe(400);
    const id = requestIdOf(res);
    expect(await entriesOf(b, account, id)).toEqual([]);
    await expect
      .poll(() => usageOf(b, account, id), { timeout: 10_000 })
      .toMatchObject({
        cost: 0,
        flags: ["refused:invalid_request"],
      });
  });
});

describe("/v1/responses with gateway tools (the same tool loop as chat)", () => {
  let b: Backend;
  let account: Account;
  beforeAll(async () => {
    b = await makeBackend("durable-object");
    account = await newAccount(b, 50_000_000, "t-tool-loop");
  });
  const tools = [{ type: "function", name: "get_weather" }];

  it("runs the tool and answers with the model's final turn, billing every turn once", async () => {
    const own = await newAccount(b, 50_000_000, "t-tool-loop");
    const before = await b.ledger.balance(own.keyId, own.tenantId);
    const res = await responses(b, own, { model: "loop-weather", input: `weather ${nonce("resp-loop")}`, tools });
    expect(res.status).toBe(200);
    const body = (await res.json()) as ResponseJson;
    expect(body.status).toBe("completed");
    expect(body.output.map((o) => o.type)).toEqual(["message"]);
    expect(body.output[0]?.content?.[0]?.text).toMatch(/^tool result received:/);
    expect(res.headers.get("x-gateway-tool-turns")).toBe("2");
    expect(res.headers.get("x-gateway-tool-calls")).toBe("1");
    const id = requestIdOf(res);
    const after = await settled(b, own);
    const turn1 = await usageOf(b, own, id);
    const turn2 = await usageOf(b, own, `${id}.t2`);
    const tool = await usageOf(b, own, `${id}.tool1`);
    // Every turn once, and the tool's price: the header is what the ledger charged.
    expect(before.balance - after.balance).toBe((turn1?.cost ?? 0) + (turn2?.cost ?? 0) + (tool?.cost ?? 0));
    expect(Number(res.headers.get("x-gateway-cost"))).toBe(before.balance - after.balance);
    await checkInvariant(b.ledger, own.keyId, own.tenantId, { atRest: true });
  });

  it("streams the loop's text as one message and completes", async () => {
    const res = await responses(b, account, {
      model: "loop-weather",
      input: `weather ${nonce("resp-loop-stream")}`,
      tools,
      stream: true,
    });
    expect(res.status).toBe(200);
    const events = await responsesEvents(res);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events[0]?.type).toBe("response.created");
    const done = events.at(-1) as ResponsesEvent & { response: ResponseJson };
    expect(done.type).toBe("response.completed");
    expect(done.response.output.map((o) => o.type)).toEqual(["message"]);
    expect(done.response.output[0]?.content?.[0]?.text).toMatch(/tool result received:/);
    expect(done.response.usage?.output_tokens).toBeGreaterThan(0);
  });
});
