import { describe, expect, it } from "vitest";
import { chat, chatBody, durableObjectBackend, newAccount, request } from "../helpers/billing";
import { routerNeutralNonce, routingHeaders } from "../helpers/routing";

/**
 * `/v1/messages/count_tokens` counts for the target chat would route the same body to: the learned router and the
 * premium cap decide as they would for chat (route `learned-count` of test/fixtures/policies/routing-learned.yaml,
 * used by this file alone: its cap window is per route), and a count is not counted in the cap's window.
 */

const b = durableObjectBackend();
const BORDERLINE = "prove this theorem rigorously"; // scored premium, below keep_above (0.9)
const CHEAP = "say hello to my friend over there";

async function count(text: string) {
  const a = await newAccount(b, 1_000_000_000, "t-learned");
  const body = { model: "learned-count", messages: [{ role: "user", content: `${text} ${routerNeutralNonce(text)}` }] };
  const res = await b.fetch(request(a, "/v1/messages/count_tokens", body));
  expect(res.status).toBe(200);
  const { input_tokens } = (await res.json()) as { input_tokens: number };
  expect(input_tokens).toBeGreaterThan(0);
  return routingHeaders(res);
}

describe("count_tokens on a route with a learned router", () => {
  it("names the alias chat would serve, and leaves the premium cap's window alone", async () => {
    // The window is empty: the cap does not apply yet, so the router's premium verdict stands, every time (had the
    // counts been recorded, the second would find 1 premium of 1 and be capped).
    for (let i = 0; i < 3; i++) {
      expect(await count(BORDERLINE)).toMatchObject({ model: "r-premium", decidedBy: "router", routerTier: "premium" });
    }
    expect(await count(CHEAP)).toMatchObject({ model: "r-cheap", decidedBy: "router", routerTier: "cheap" });

    // One chat request served cheap: 0 premium of 1. A premium one now would make 1 of 2 (50% > 25%): capped.
    const a = await newAccount(b, 1_000_000_000, "t-learned");
    const served = await chat(b, a, chatBody("learned-count", `${CHEAP} ${routerNeutralNonce(CHEAP)}`));
    expect(served.status).toBe(200);
    await served.text();
    const capped = await count(BORDERLINE);
    expect(capped).toMatchObject({ model: "r-cheap", decidedBy: "premium_cap", routerTier: "premium" });
    // And chat agrees with the count.
    const res = await chat(b, a, chatBody("learned-count", `${BORDERLINE} ${routerNeutralNonce(BORDERLINE)}`));
    expect(res.status).toBe(200);
    await res.text();
    expect(res.headers.get("x-gateway-model")).toBe("r-cheap");
    expect(res.headers.get("x-gateway-decided-by")).toBe("premium_cap");
  }, 30_000);
});
