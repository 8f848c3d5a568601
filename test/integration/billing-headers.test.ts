import { beforeAll, describe, expect, it } from "vitest";
import {
  type Backend,
  type BackendName,
  chat,
  chatBody,
  costOf,
  entriesOf,
  errorCode,
  fakeCalls,
  holdFor,
  makeBackend,
  newAccount,
  PRICE,
  request,
  requestIdOf,
  settled,
  terminalOf,
  usageOf,
} from "../helpers/billing";
import { nonce } from "../helpers/gateway";
import { TEST_KEYS } from "../helpers/keys";
import { checkInvariant } from "./ledger/invariant";

const FUNDS = 10_000_000;

describe.each<BackendName>(["durable-object", "upstash"])("credit headers and admission (%s)", (name) => {
  let b: Backend;
  beforeAll(async () => {
    b = await makeBackend(name);
  });

  it("a JSON answer says what was reserved, what it cost and what is left; the charge is the fake's own count", async () => {
    const n = nonce("hdr");
    const account = await newAccount(b, FUNDS);
    const body = chatBody("b-chat", `price me ${n}`, { max_tokens: 100 });
    const res = await chat(b, account, body, { "x-gateway-feature": "billing-tests" });
    expect(res.status).toBe(200);
    await res.json();
    const { hold } = holdFor(body, 100);
    expect(res.headers.get("x-gateway-credits-reserved")).toBe(String(hold));
    expect(res.headers.get("x-gateway-max-tokens-clamped")).toBeNull();

    const [call] = await fakeCalls(n);
    const answer = call?.answer;
    expect(answer?.completionTokens).toBe(20);
    const expected = costOf(answer?.promptTokens ?? -1, answer?.completionTokens ?? -1);
    expect(res.headers.get("x-gateway-cost")).toBe(String(expected));

    const balance = await settled(b, account);
    expect(res.headers.get("x-gateway-credits-remaining")).toBe(String(balance.balance));
    expect(balance.balance).toBe(FUNDS - expected);
    const id = requestIdOf(res);
    const terminal = await terminalOf(b, account, id);
    expect(terminal).toMatchObject({ type: "settle", charged: expected, amount: hold - expected });
    const usage = await usageOf(b, account, id);
    expect(usage).toMatchObject({
      inputTokens: answer?.promptTokens,
      outputTokens: 20,
      cost: expected,
      status: 200,
      model: "b-chat",
      provider: "fake-billing",
      feature: "billing-tests",
      flags: [],
    });
    await checkInvariant(b.ledger, account.keyId, account.tenantId, { atRest: true });
  });

  it("without max_tokens the hold covers the model's maximum output", async () => {
    const account = await newAccount(b, FUNDS);
    const body = chatBody("b-chat", `no max ${nonce()}`);
    const res = await chat(b, account, body);
    expect(res.status).toBe(200);
    await res.text();
    expect(res.headers.get("x-gateway-credits-reserved")).toBe(String(holdFor(body, 4096).hold));
    await settled(b, account);
  });

  it("clamps max_tokens to what the balance affords, says so, and tells the upstream the clamped value", async () => {
    const n = nonce("clamp");
    const body = chatBody("b-exact", `clamp ${n}`, { max_tokens: 200 });
    const { promptCost } = holdFor(body, 0);
    // Affords 50 output tokens (and a little change that buys no 51st).
    const account = await newAccount(b, promptCost + 50 * PRICE.output + 2);
    const res = await chat(b, account, body);
    expect(res.status).toBe(200);
    await res.json();
    expect(res.headers.get("x-gateway-max-tokens-clamped")).toBe("50");
    expect(res.headers.get("x-gateway-credits-reserved")).toBe(String(promptCost + 50 * PRICE.output));
    const [call] = await fakeCalls(n);
    expect(call?.body).toMatchObject({ max_tokens: 50 });
    expect(call?.answer?.completionTokens).toBe(50);
    const balance = await settled(b, account);
    expect(balance.balance).toBeGreaterThanOrEqual(0);
    await checkInvariant(b.ledger, account.keyId, account.tenantId, { atRest: true });
  });

  it("clamps max_completion_tokens, and the model's maximum when the request names no limit", async () => {
    const n1 = nonce("clamp-mct");
    const withMct = chatBody("b-chat", `clamp ${n1}`, { max_completion_tokens: 300 });
    const a1 = await newAccount(b, holdFor(withMct, 0).promptCost + 40 * PRICE.output);
    const r1 = await chat(b, a1, withMct);
    expect(r1.status).toBe(200);
    await r1.text();
    expect(r1.headers.get("x-gateway-max-tokens-clamped")).toBe("40");
    const [c1] = await fakeCalls(n1);
    expect(c1?.body).toMatchObject({ max_completion_tokens: 40 });
    expect((c1?.body ?? {}) as Record<string, unknown>).not.toHaveProperty("max_tokens");

    const n2 = nonce("clamp-none");
    const noLimit = chatBody("b-chat", `clamp ${n2}`);
    const a2 = await newAccount(b, holdFor(noLimit, 0).promptCost + 100 * PRICE.output);
    const r2 = await chat(b, a2, noLimit);
    expect(r2.status).toBe(200);
    await r2.text();
    expect(r2.headers.get("x-gateway-max-tokens-clamped")).toBe("100");
    const [c2] = await fakeCalls(n2);
    expect(c2?.body).toMatchObject({ max_tokens: 100 });
    await settled(b, a1);
    await settled(b, a2);
  });

  it("402 when not even min_output_tokens is affordable: no upstream call, no ledger change", async () => {
    const n = nonce("poor");
    const body = chatBody("b-chat", `poor ${n}`, { max_tokens: 100 });
    const { promptCost } = holdFor(body, 0);
    const funds = promptCost + 15 * PRICE.output; // 15 < min_output_tokens (16)
    const account = await newAccount(b, funds);
    const res = await chat(b, account, body);
    expect(res.status).toBe(402);
    expect(await errorCode(res)).toBe("insufficient_credits");
    expect(res.headers.get("x-gateway-credits-remaining")).toBe(String(funds));
    expect(await fakeCalls(n)).toEqual([]);
    const entries = await b.ledger.entries(account.keyId, account.tenantId);
    expect(entries.map((e) => e.type)).toEqual(["topup"]);

    // One more micro-credit's worth of tokens (16) is enough.
    await b.ledger.credit(account.keyId, account.tenantId, PRICE.output, `more-${n}`, "topup");
    const again = await chat(b, account, body);
    expect(again.status).toBe(200);
    await again.text();
    expect(again.headers.get("x-gateway-max-tokens-clamped")).toBe("16");
    await settled(b, account);
  });

  it("402 for an account that was never funded", async () => {
    const n = nonce("empty");
    const account = await newAccount(b, 0);
    const res = await chat(b, account, chatBody("b-chat", `empty ${n}`));
    expect(res.status).toBe(402);
    expect(await errorCode(res)).toBe("insufficient_credits");
    expect(await fakeCalls(n)).toEqual([]);
  });

  it("an unpriced model is refused (403 model_unpriced) before the ledger and before any upstream call", async () => {
    const n = nonce("unpriced");
    const account = await newAccount(b, FUNDS);
    const res = await chat(b, account, chatBody("b-unpriced", `unpriced ${n}`));
    expect(res.status).toBe(403);
    expect(await errorCode(res)).toBe("model_unpriced");
    const viaStaticKey = await b.fetch(
      new Request("http://gateway.test/v1/chat/completions", {
        method: "POST",
        headers: { authorization: `Bearer ${TEST_KEYS.main.key}`, "content-type": "application/json" },
        body: JSON.stringify(chatBody("m-unpriced", `unpriced ${n}`)),
      }),
    );
    expect(viaStaticKey.status).toBe(403);
    expect(await errorCode(viaStaticKey)).toBe("model_unpriced");
    expect(await fakeCalls(n)).toEqual([]);
    const entries = await b.ledger.entries(account.keyId, account.tenantId);
    expect(entries.map((e) => e.type)).toEqual(["topup"]);
  });

  it("usage above the hold is charged at the hold, and the cost header says what was charged", async () => {
    const n = nonce("over");
    // Single-letter words: the fake counts far more prompt tokens than the chars/4 reservation allows for.
    const body = chatBody("b-exact", `${n} ${"a ".repeat(200)}`, { max_tokens: 20 });
    const { hold } = holdFor(body, 20);
    const account = await newAccount(b, FUNDS);
    const res = await chat(b, account, body);
    expect(res.status).toBe(200);
    await res.json();
    const [call] = await fakeCalls(n);
    const real = costOf(call?.answer?.promptTokens ?? 0, call?.answer?.completionTokens ?? 0);
    expect(real).toBeGreaterThan(hold);
    const balance = await settled(b, account);
    const terminal = await terminalOf(b, account, requestIdOf(res));
    expect(terminal).toMatchObject({ type: "settle", charged: hold, amount: 0 });
    expect(terminal?.flags).toContain("over_hold");
    expect(balance.balance).toBe(FUNDS - hold);
    // The usage event records what was charged, like the ledger entry it is written with.
    expect(await usageOf(b, account, requestIdOf(res))).toMatchObject({ cost: hold });
    expect(res.headers.get("x-gateway-cost")).toBe(String(hold));
    expect(res.headers.get("x-gateway-credits-remaining")).toBe(String(balance.balance));
  });

  it("/v1/messages (Anthropic ingress and upstream) reports credits and bills the upstream's own count", async () => {
    const n = nonce("anth");
    const account = await newAccount(b, FUNDS);
    const body = { model: "b-anthropic", max_tokens: 64, messages: [{ role: "user", content: `bill ${n}` }] };
    const res = await b.fetch(request(account, "/v1/messages", body));
    expect(res.status).toBe(200);
    await res.json();
    const [call] = await fakeCalls(n);
    const expected = costOf(call?.answer?.promptTokens ?? -1, call?.answer?.completionTokens ?? -1);
    expect(res.headers.get("x-gateway-cost")).toBe(String(expected));
    expect(res.headers.get("x-gateway-credits-reserved")).not.toBeNull();
    await settled(b, account);
    const entries = await entriesOf(b, account, requestIdOf(res));
    expect(entries.map((e) => e.type)).toEqual(["reserve", "settle"]);
    expect(entries[1]?.charged).toBe(expected);
  });
});
