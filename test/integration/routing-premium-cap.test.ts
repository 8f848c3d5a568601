import { describe, expect, it } from "vitest";
import { chat, chatBody, durableObjectBackend, newAccount, requestIdOf, settled, usageOf } from "../helpers/billing";

/**
 * The premium-share cap of route `capped` (test/fixtures/policies/routing-runtime.yaml): reasoning requests go to the
 * premium tier by rule, but at most 25% of tenant t-cap's requests (once 4 are in the window). The window lives in
 * the isolate, and the test pool runs one, so the counts are exact here.
 */

const b = durableObjectBackend();

describe("premium-share cap", () => {
  it("keeps borderline requests on the cheap tier at the cap, and lets premium through again below it", async () => {
    const a = await newAccount(b, 1_000_000_000, "t-cap");
    const send = async (taskType?: string, model = "capped") => {
      const res = await chat(
        b,
        a,
        chatBody(model, "what is 2 + 2"),
        taskType ? { "x-gateway-task-type": taskType } : {},
      );
      expect(res.status).toBe(200);
      await res.text();
      return {
        id: requestIdOf(res),
        model: res.headers.get("x-gateway-model"),
        tier: res.headers.get("x-gateway-tier"),
        decidedBy: res.headers.get("x-gateway-decided-by"),
      };
    };

    for (let i = 0; i < 4; i++) {
      expect(await send()).toMatchObject({ model: "r-cheap", tier: "cheap", decidedBy: "default" });
    }
    // 0 of 4 premium: one more premium makes 1 of 5 (20% <= 25%).
    expect(await send("reasoning")).toMatchObject({ model: "r-premium", tier: "premium", decidedBy: "rule:0" });
    // 1 of 5: another would make 2 of 6 (33%): held on the cheap tier.
    const held = await send("reasoning");
    expect(held).toMatchObject({ model: "r-cheap", tier: "cheap", decidedBy: "premium_cap" });
    // Naming the premium alias is the caller's explicit choice: never capped.
    expect(await send("reasoning", "r-premium")).toMatchObject({ model: "r-premium", tier: null, decidedBy: null });
    for (let i = 0; i < 2; i++) await send();
    // 1 premium of 9 requests counted: 2 of 10 is 20%.
    expect(await send("reasoning")).toMatchObject({ model: "r-premium", decidedBy: "rule:0" });

    await settled(b, a);
    expect((await usageOf(b, a, held.id))?.routing).toEqual({ decidedBy: "premium_cap", tier: "cheap" });
  }, 30_000);
});
