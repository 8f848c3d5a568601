import { describe, expect, it } from "vitest";
import {
  type Account,
  chat,
  chatBody,
  durableObjectBackend,
  entriesOf,
  fakeCalls,
  newAccount,
  requestIdOf,
  settled,
  usageOf,
} from "../helpers/billing";
import { ask as askRoute, billedOnce as billedOnceFor } from "../helpers/routing";

/**
 * The confidence cascade and degradation (routes in test/fixtures/policies/routing-runtime.yaml): the cheap tier is
 * the fake upstream steered to answer with given token probabilities or a given text; the premium tier is
 * `fake-large`. Each call is billed on its own hold (the cheap one on the request id, the premium one on
 * `<id>.escalated`), each admitted and settled exactly once.
 */

const b = durableObjectBackend();
const RICH = 1_000_000_000;

const ask = (a: Account, model: string, text: string, extra: Record<string, unknown> = {}, headers = {}) =>
  askRoute(b, a, model, text, extra, headers);
const billedOnce = (a: Account, requestId: string) => billedOnceFor(b, a, requestId);

describe("cascade: escalation", () => {
  it("a low-probability cheap answer escalates; both calls billed once, the cost header counts both", async () => {
    const a = await newAccount(b, RICH, "t-routing");
    const prompt = `cascade unsure ${crypto.randomUUID()}`;
    const { res, body, id, h } = await ask(a, "cascade-unsure", prompt);
    expect(res.status).toBe(200);
    expect(h("x-gateway-model")).toBe("r-premium");
    expect(body.model).toBe("fake-large");
    expect(h("x-gateway-cascade")).toBe("escalated");
    expect(h("x-gateway-cascade-signal")).toBe("logprob_mean");
    expect(h("x-gateway-confidence")).toBe("0.5000");
    expect(h("x-gateway-tier")).toBe("premium");

    // The cheap call asked for logprobs (the policy judges by them); the premium call did not (the client did not).
    const calls = await fakeCalls(prompt);
    expect(calls).toHaveLength(2);
    const sentLogprobs = calls.map((c) => (c.body as { logprobs?: boolean } | null)?.logprobs);
    expect(sentLogprobs).toEqual([true, undefined]);
    expect(body.choices[0]?.logprobs).toBeNull();

    await settled(b, a);
    const cheap = await billedOnce(a, id);
    const premium = await billedOnce(a, `${id}.escalated`);
    expect(cheap?.type).toBe("settle");
    expect(premium?.type).toBe("settle");
    const cheapEvent = await usageOf(b, a, id);
    const premiumEvent = await usageOf(b, a, `${id}.escalated`);
    const judged = { verdict: "escalated", signal: "logprob_mean", confidence: 0.5 };
    expect(cheapEvent?.routing).toEqual({ decidedBy: "cascade", tier: "cheap", escalated: true, cascade: judged });
    expect(premiumEvent?.routing).toEqual({ decidedBy: "cascade", tier: "premium", escalated: true, cascade: judged });
    expect(cheapEvent?.model).toBe("c-unsure");
    expect(premiumEvent?.model).toBe("r-premium");
    const total = (cheapEvent?.cost ?? 0) + (premiumEvent?.cost ?? 0);
    expect(cheapEvent?.cost).toBeGreaterThan(0);
    expect(Number(h("x-gateway-cost"))).toBe(total);
    expect(Number(h("x-gateway-cost-cheap"))).toBe(cheapEvent?.cost);
    const balance = await b.ledger.balance(a.keyId, a.tenantId);
    expect(balance.billed).toBe(total);
  });

  describe.each<[string, string, Record<string, unknown>, string]>([
    [
      "answer that is not JSON under response_format",
      "cascade-not-json",
      { response_format: { type: "json_object" } },
      "json",
    ],
    ["stock refusal", "cascade-refusal", {}, "refusal"],
    ["cut off by max_tokens", "cascade-sure", { max_tokens: 3 }, "length"],
  ])("%s", (_name, route, extra, signal) => {
    it(`escalates on the ${signal} check`, async () => {
      const a = await newAccount(b, RICH, "t-routing");
      const { res, id, h } = await ask(a, route, `check ${signal}`, extra);
      expect(res.status).toBe(200);
      expect(h("x-gateway-cascade")).toBe("escalated");
      expect(h("x-gateway-cascade-signal")).toBe(signal);
      expect(h("x-gateway-confidence")).toBe("0.0000");
      await settled(b, a);
      await billedOnce(a, id);
      await billedOnce(a, `${id}.escalated`);
    });
  });
});

describe("cascade: the cheap answer stands", () => {
  it("a confident answer is served by the cheap tier, billed once, its gateway-requested logprobs removed", async () => {
    const a = await newAccount(b, RICH, "t-routing");
    const { res, body, id, h } = await ask(a, "cascade-sure", "easy one");
    expect(res.status).toBe(200);
    expect(h("x-gateway-model")).toBe("c-sure");
    expect(h("x-gateway-cascade")).toBe("accepted");
    expect(h("x-gateway-confidence")).toBe("0.9500");
    expect(body.choices[0]?.logprobs).toBeNull();
    await settled(b, a);
    await billedOnce(a, id);
    expect(await entriesOf(b, a, `${id}.escalated`)).toHaveLength(0);
    const event = await usageOf(b, a, id);
    expect(event?.routing).toEqual({
      decidedBy: "cascade",
      tier: "cheap",
      escalated: false,
      cascade: { verdict: "accepted", confidence: 0.95, signal: expect.any(String) },
    });
    expect(Number(h("x-gateway-cost"))).toBe(event?.cost);
  });

  it("logprobs the client asked for are kept", async () => {
    const a = await newAccount(b, RICH, "t-routing");
    const { body } = await ask(a, "cascade-sure", "with logprobs", { logprobs: true });
    expect((body.choices[0]?.logprobs as { content: unknown[] } | null)?.content).toHaveLength(6);
  });

  it("valid JSON under response_format passes the check", async () => {
    const a = await newAccount(b, RICH, "t-routing");
    const { h, body } = await ask(a, "cascade-json", "json please", { response_format: { type: "json_object" } });
    expect(h("x-gateway-cascade")).toBe("accepted");
    expect(JSON.parse(body.choices[0]?.message.content ?? "")).toEqual({ answer: 4 });
  });

  it("no time left in the deadline: the cheap answer is served (degraded: deadline)", async () => {
    const a = await newAccount(b, RICH, "t-routing");
    const { id, h } = await ask(a, "cascade-deadline", "in a hurry");
    expect(h("x-gateway-model")).toBe("c-unsure");
    expect(h("x-gateway-cascade")).toBe("deadline");
    expect(h("x-gateway-degraded")).toBe("deadline");
    await settled(b, a);
    await billedOnce(a, id);
    expect(await entriesOf(b, a, `${id}.escalated`)).toHaveLength(0);
    expect((await usageOf(b, a, id))?.routing).toEqual({
      decidedBy: "degrade:deadline",
      tier: "cheap",
      escalated: false,
      cascade: { verdict: "deadline", signal: expect.any(String), confidence: expect.any(Number) },
    });
  });

  it("credits that cannot cover the escalation: the cheap answer is served, and only it is billed", async () => {
    const a = await newAccount(b, 600, "t-routing");
    const { res, id, h } = await ask(a, "cascade-unsure", "low balance");
    expect(res.status).toBe(200);
    expect(h("x-gateway-model")).toBe("c-unsure");
    expect(h("x-gateway-cascade")).toBe("kept_cheap");
    await settled(b, a);
    await billedOnce(a, id);
    expect(await entriesOf(b, a, `${id}.escalated`)).toHaveLength(0);
  });
});

describe("degradation before 402", () => {
  it("a caller who cannot afford the premium tier gets the cheap one; one who affords neither gets 402", async () => {
    const a = await newAccount(b, 600, "t-routing");
    const reasoning = { "x-gateway-task-type": "reasoning" };
    const { res, id, h } = await ask(a, "degrade", "think hard", {}, reasoning);
    expect(res.status).toBe(200);
    expect(h("x-gateway-model")).toBe("r-cheap");
    expect(h("x-gateway-degraded")).toBe("balance");
    expect(h("x-gateway-decided-by")).toBe("degrade:balance");
    await settled(b, a);
    await billedOnce(a, id);
    expect((await usageOf(b, a, id))?.routing).toEqual({ decidedBy: "degrade:balance", tier: "cheap" });

    const broke = await newAccount(b, 10, "t-routing");
    const refused = await ask(broke, "degrade", "think hard", {}, reasoning);
    expect(refused.res.status).toBe(402);
    expect(refused.body.error?.code).toBe("insufficient_credits");

    const rich = await newAccount(b, RICH, "t-routing");
    const served = await ask(rich, "degrade", "think hard", {}, reasoning);
    expect(served.h("x-gateway-model")).toBe("r-premium");
    expect(served.h("x-gateway-degraded")).toBeNull();
  });
});

describe("degradation before a missed deadline", () => {
  it("a premium request with less than premium_ms of its deadline left is served by the cheap tier", async () => {
    const a = await newAccount(b, RICH, "t-routing");
    const reasoning = { "x-gateway-task-type": "reasoning" };
    const { res, id, h } = await ask(a, "degrade-deadline", "think hard, quickly", {}, reasoning);
    expect(res.status).toBe(200);
    expect(h("x-gateway-model")).toBe("r-cheap");
    expect(h("x-gateway-degraded")).toBe("deadline");
    expect(h("x-gateway-decided-by")).toBe("degrade:deadline");
    await settled(b, a);
    await billedOnce(a, id);
    expect((await usageOf(b, a, id))?.routing).toEqual({ decidedBy: "degrade:deadline", tier: "cheap" });

    const fits = await ask(a, "degrade-deadline-fits", "think hard", {}, reasoning);
    expect(fits.h("x-gateway-model")).toBe("r-premium");
    expect(fits.h("x-gateway-degraded")).toBeNull();
  });
});

describe("cascade: streams (the cheap answer is judged before the first byte)", () => {
  const streamOf = async (res: Response) => {
    const text = await res.text();
    return text
      .split("\n\n")
      .filter((b) => b.startsWith("data: ") && !b.includes("[DONE]"))
      .map((b) => JSON.parse(b.slice(6)) as { model: string; choices: { delta: { content?: string } }[] });
  };

  it("an accepted cheap answer is replayed as SSE, billed once", async () => {
    const a = await newAccount(b, RICH, "t-routing");
    const prompt = `stream sure ${crypto.randomUUID()}`;
    const res = await chat(b, a, chatBody("cascade-sure", prompt, { stream: true }));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    expect(res.headers.get("x-gateway-cascade")).toBe("accepted");
    expect(res.headers.get("x-gateway-model")).toBe("c-sure");
    const chunks = await streamOf(res);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(text.split(" ")).toHaveLength(6);
    // The upstream was called without streaming, so the whole answer was judged before the client saw a byte.
    const calls = await fakeCalls(prompt);
    expect(calls.map((c) => (c.body as { stream?: boolean }).stream === true)).toEqual([false]);
    const id = requestIdOf(res);
    await settled(b, a);
    await billedOnce(a, id);
  });

  it("an escalated stream comes from the premium tier; the cheap call is billed on its own", async () => {
    const a = await newAccount(b, RICH, "t-routing");
    const prompt = `stream unsure ${crypto.randomUUID()}`;
    const res = await chat(b, a, chatBody("cascade-unsure", prompt, { stream: true }));
    expect(res.headers.get("x-gateway-cascade")).toBe("escalated");
    expect(res.headers.get("x-gateway-model")).toBe("r-premium");
    const chunks = await streamOf(res);
    expect(chunks[0]?.model).toBe("fake-large");
    const calls = await fakeCalls(prompt);
    expect(calls.map((c) => (c.body as { stream?: boolean }).stream === true)).toEqual([false, true]);
    const id = requestIdOf(res);
    await settled(b, a);
    const cheap = await billedOnce(a, id);
    await billedOnce(a, `${id}.escalated`);
    expect(Number(res.headers.get("x-gateway-cost-cheap"))).toBe(cheap?.charged);
  });
});
