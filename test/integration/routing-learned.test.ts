import { describe, expect, it } from "vitest";
import {
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
import { billedOnce, routerNeutralNonce, routingHeaders } from "../helpers/routing";

/**
 * The learned router in the Worker: routes `learned` (mode on) and `learned-shadow` of
 * test/fixtures/policies/routing-learned.yaml, with the hand-made artifact routers/learned-test.json over the fake
 * upstream's lexical embeddings (`m-embed`): prompts about proving theorems score premium, others cheap. Each prompt
 * carries a nonce so the embeddings upstream's record of it can be counted: one embedding per request, shared by the
 * router and the response cache.
 */

const b = durableObjectBackend();
const PREMIUM = "prove the theorem rigorously, a proof step by step";
const CHEAP = "say hello to my friend over there";

async function send(model: string, text: string) {
  const a = await newAccount(b, 1_000_000_000, "t-learned");
  const nonce = routerNeutralNonce(text);
  const res = await chat(b, a, chatBody(model, `${text} ${nonce}`));
  expect(res.status).toBe(200);
  await res.text();
  const embeddings = (await fakeCalls(nonce)).filter((c) => c.path.endsWith("/embeddings"));
  return {
    a,
    id: requestIdOf(res),
    headers: routingHeaders(res),
    embeddings: embeddings.length,
  };
}

describe("learned router", () => {
  // One prompt embedding per request: the router's, reused by the cache's semantic lookup.
  it.each([
    {
      name: "sends a prompt it scores premium to the premium alias, and says why",
      route: "learned",
      prompt: PREMIUM,
      premiumScore: true,
      headers: {
        model: "r-premium",
        tier: "premium",
        decidedBy: "router",
        routerTier: "premium",
        routerDecidedBy: "router",
      },
      routing: { decidedBy: "router", tier: "premium", router: { tier: "premium", decidedBy: "router" } },
    },
    {
      name: "sends a prompt it scores cheap to the cheap alias",
      route: "learned",
      prompt: CHEAP,
      premiumScore: false,
      headers: { model: "r-cheap", tier: "cheap", decidedBy: "router", routerTier: "cheap", routerDecidedBy: "router" },
      routing: { decidedBy: "router", tier: "cheap", router: { tier: "cheap", decidedBy: "router" } },
    },
    {
      name: "in shadow mode scores and records, but the route's default serves",
      route: "learned-shadow",
      prompt: PREMIUM,
      premiumScore: true,
      headers: {
        model: "r-cheap",
        tier: "cheap",
        decidedBy: "default",
        routerTier: "premium",
        routerDecidedBy: "shadow:router",
      },
      routing: { decidedBy: "default", tier: "cheap", router: { tier: "premium", decidedBy: "router", shadow: true } },
    },
  ])(
    "$name",
    async ({ route, prompt, premiumScore, headers, routing }) => {
      const r = await send(route, prompt);
      expect(r.headers).toMatchObject(headers);
      const score = Number(r.headers.routerScore);
      expect(score >= 0.5).toBe(premiumScore);
      expect(r.embeddings).toBe(1);
      await settled(b, r.a);
      expect((await usageOf(b, r.a, r.id))?.routing).toEqual({ ...routing, score });
    },
    30_000,
  );

  it("does not route a request that named an alias", async () => {
    const r = await send("r-premium", CHEAP);
    expect(r.headers).toMatchObject({ model: "r-premium", routerTier: null, routerScore: null });
  }, 30_000);
});

describe("learned router under a premium cap", () => {
  it("holds a borderline premium score on the cheap tier at the cap, but not one at or above keep_above", async () => {
    // Route learned-capped is used by this test alone (its window is per route): 0 premium of 1 request first.
    expect((await send("learned-capped", CHEAP)).headers).toMatchObject({ model: "r-cheap", decidedBy: "router" });
    // Scored premium (about 0.77, below keep_above 0.9): 1 of 2 would be 50% > 25%, so the cap holds it.
    const held = await send("learned-capped", "prove this theorem rigorously");
    expect(held.headers).toMatchObject({ model: "r-cheap", decidedBy: "premium_cap", routerTier: "premium" });
    expect(Number(held.headers.routerScore)).toBeGreaterThan(0.5);
    expect(Number(held.headers.routerScore)).toBeLessThan(0.9);
    // Scored above keep_above: premium even at the cap.
    const kept = await send("learned-capped", PREMIUM);
    expect(kept.headers).toMatchObject({ model: "r-premium", decidedBy: "router", routerTier: "premium" });
    await settled(b, held.a);
    expect((await usageOf(b, held.a, held.id))?.routing).toMatchObject({
      decidedBy: "premium_cap",
      tier: "cheap",
      score: Number(held.headers.routerScore),
      router: { tier: "premium", decidedBy: "router" },
    });
  }, 30_000);
});

describe("learned verifier in the cascade", () => {
  it.each([
    ["verified-doubtful", "escalated", "r-premium", "0.0474"],
    ["verified-confident", "accepted", "c-sure", "0.9526"],
  ])(
    "%s: the route's verifier artifact judges the cheap answer",
    async (route, verdict, model, confidence) => {
      const a = await newAccount(b, 1_000_000_000, "t-learned");
      const res = await chat(b, a, chatBody(route, `what is the capital of France ${crypto.randomUUID()}`));
      expect(res.status).toBe(200);
      await res.text();
      expect(res.headers.get("x-gateway-cascade")).toBe(verdict);
      expect(res.headers.get("x-gateway-model")).toBe(model);
      expect(res.headers.get("x-gateway-confidence")).toBe(confidence);
      if (verdict === "escalated") expect(res.headers.get("x-gateway-cascade-signal")).toBe("verifier");
    },
    30_000,
  );
});

describe("the verifier's arithmetic check in the cascade", () => {
  it("escalates a cheap answer with a wrong step (3 * 6 = 19) although the artifact is confident; both calls billed once", async () => {
    const a = await newAccount(b, 1_000_000_000, "t-learned");
    const res = await chat(b, a, chatBody("verified-arith-wrong", `How many pets has Jan? ${crypto.randomUUID()}`));
    expect(res.status).toBe(200);
    await res.text();
    const id = requestIdOf(res);
    expect(res.headers.get("x-gateway-cascade")).toBe("escalated");
    expect(res.headers.get("x-gateway-cascade-signal")).toBe("verifier");
    expect(res.headers.get("x-gateway-confidence")).toBe("0.0000");
    expect(res.headers.get("x-gateway-model")).toBe("r-premium");
    await settled(b, a);
    const cheap = await billedOnce(b, a, id);
    const premium = await billedOnce(b, a, `${id}.escalated`);
    expect([cheap?.type, premium?.type]).toEqual(["settle", "settle"]);
    expect(Number(res.headers.get("x-gateway-cost"))).toBe(
      ((await usageOf(b, a, id))?.cost ?? Number.NaN) + ((await usageOf(b, a, `${id}.escalated`))?.cost ?? Number.NaN),
    );
  }, 30_000);

  it("keeps the same answer with the step right (3 * 6 = 18): one call, billed once", async () => {
    const a = await newAccount(b, 1_000_000_000, "t-learned");
    const res = await chat(b, a, chatBody("verified-arith-right", `How many pets has Jan? ${crypto.randomUUID()}`));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { choices: { message: { content: string } }[] };
    const id = requestIdOf(res);
    expect(res.headers.get("x-gateway-cascade")).toBe("accepted");
    expect(res.headers.get("x-gateway-model")).toBe("c-arith-right");
    expect(res.headers.get("x-gateway-confidence")).toBe("0.9526");
    expect(body.choices[0]?.message.content).toContain("3 * 6 = 18");
    await settled(b, a);
    expect((await billedOnce(b, a, id))?.type).toBe("settle");
    expect(await entriesOf(b, a, `${id}.escalated`)).toHaveLength(0);
  }, 30_000);
});

describe("learned router, then the cascade", () => {
  it("keeps the router's verdict beside the cascade's judgement on both calls' usage events", async () => {
    const r = await send("learned-cascade", CHEAP);
    expect(r.headers).toMatchObject({ model: "r-premium", tier: "premium", routerTier: "cheap" });
    const score = Number(r.headers.routerScore);
    expect(score).toBeLessThan(0.5);
    await settled(b, r.a);
    const both = {
      decidedBy: "cascade",
      escalated: true,
      score,
      router: { tier: "cheap", decidedBy: "router" },
      cascade: { verdict: "escalated", signal: "verifier", confidence: expect.closeTo(0.0474, 3) },
    };
    expect((await usageOf(b, r.a, r.id))?.routing).toEqual({ ...both, tier: "cheap" });
    expect((await usageOf(b, r.a, `${r.id}.escalated`))?.routing).toEqual({ ...both, tier: "premium" });
  }, 30_000);
});

describe("learned router without an embedding", () => {
  it("follows without_embedding (premium by default) when the prompt has no text to embed", async () => {
    const a = await newAccount(b, 1_000_000_000, "t-learned");
    const res = await chat(b, a, {
      model: "learned",
      messages: [
        { role: "system", content: `be brief ${crypto.randomUUID()}` },
        { role: "user", content: "" },
      ],
    });
    expect(res.status).toBe(200);
    await res.text();
    expect(res.headers.get("x-gateway-model")).toBe("r-premium");
    expect(res.headers.get("x-gateway-router-decided-by")).toBe("router:no-embedding");
    expect(res.headers.get("x-gateway-router-score")).toBeNull();
  }, 30_000);
});
