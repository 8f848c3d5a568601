import { describe, expect, it } from "vitest";
import { gw, nonce, postJson, userMessage } from "../helpers/gateway";
import { billOne, createKey, topUp } from "./admin-helpers";

interface UsageList {
  object: string;
  data: { request_id: string; key_id: string; tenant: string; model: string | null }[];
}

describe("GET /v1/balance", () => {
  it("shows the caller's own balance", async () => {
    const created = await createKey({ tenant: "t-main" });
    const empty = await gw("/v1/balance", { key: created.key });
    expect(empty.status).toBe(200);
    expect(await empty.json()).toEqual({
      object: "balance",
      account_id: created.key_id,
      tenant: "t-main",
      balance: 0,
      held: 0,
      open_holds: 0,
      credited: 0,
      billed: 0,
    });
    await topUp(created.key_id, 4_000_000);
    await billOne(created.key_id, "t-main", "m-openai");
    const after = await gw("/v1/balance", { key: created.key });
    expect(await after.json()).toMatchObject({ balance: 4_000_000 - 120, credited: 4_000_000, billed: 120, held: 0 });
  });
});

describe("GET /v1/usage", () => {
  it("lists the caller's own usage events, newest first, with limit and since", async () => {
    const created = await createKey({ tenant: "t-main" });
    await topUp(created.key_id, 10_000);
    const t0 = Date.now() - 10_000;
    const first = await billOne(created.key_id, "t-main", "m-openai", t0);
    const second = await billOne(created.key_id, "t-main", "m-anthropic", t0 + 1000);

    const res = await gw("/v1/usage", { key: created.key });
    expect(res.status).toBe(200);
    const body = (await res.json()) as UsageList;
    expect(body.object).toBe("list");
    expect(body.data.map((e) => e.request_id)).toEqual([second, first]);
    expect(body.data[0]).toMatchObject({ key_id: created.key_id, tenant: "t-main", model: "m-anthropic" });

    const limited = (await (await gw("/v1/usage?limit=1", { key: created.key })).json()) as UsageList;
    expect(limited.data.map((e) => e.request_id)).toEqual([second]);
    const since = (await (await gw(`/v1/usage?since=${t0 + 500}`, { key: created.key })).json()) as UsageList;
    expect(since.data.map((e) => e.request_id)).toEqual([second]);
  });
});

describe("a real request shows up in the caller's balance and usage", () => {
  it("chat completion -> usage event with our request id, billed from the balance", async () => {
    const created = await createKey({ tenant: "t-main" });
    await topUp(created.key_id, 10_000_000);
    const res = await postJson(
      "/v1/chat/completions",
      { model: "m-openai", messages: userMessage(nonce("usage")), max_tokens: 32 },
      { key: created.key },
    );
    expect(res.status, await res.clone().text()).toBe(200);
    const requestId = res.headers.get("x-request-id");
    await res.text();

    // Settlement may finish just after the response (waitUntil): poll, bounded, for the event.
    let events: UsageList["data"] = [];
    for (let i = 0; i < 100 && !events.some((e) => e.request_id === requestId); i++) {
      await scheduler.wait(20);
      events = ((await (await gw("/v1/usage", { key: created.key })).json()) as UsageList).data;
    }
    expect(events.map((e) => e.request_id)).toEqual([requestId]);
    expect(events[0]).toMatchObject({ key_id: created.key_id, tenant: "t-main", model: "m-openai" });

    const balance = (await (await gw("/v1/balance", { key: created.key })).json()) as Record<string, number>;
    expect(balance.credited).toBe(10_000_000);
    expect(balance.billed).toBeGreaterThan(0);
    expect((balance.balance ?? 0) + (balance.held ?? 0)).toBe(10_000_000 - (balance.billed ?? 0));
  });
});
