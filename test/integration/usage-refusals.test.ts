import { describe, expect, it } from "vitest";
import { gw, nonce, postJson, userMessage } from "../helpers/gateway";
import { createKey } from "./admin-helpers";

interface UsageList {
  data: { request_id: string; status: number; flags: string[]; cost: number; model: string | null }[];
}

async function usageFor(key: string, requestId: string | null, tries = 40) {
  for (let i = 0; i < tries; i++) {
    const res = await gw("/v1/usage?limit=50", { key });
    const list = (await res.json()) as UsageList;
    const event = list.data.find((e) => e.request_id === requestId);
    if (event !== undefined) return event;
    await new Promise((r) => setTimeout(r, 50));
  }
  return undefined;
}

describe("every authenticated request to a routed endpoint leaves a usage event", () => {
  it.each([
    ["a schema violation", { model: "m-openai", messages: [] }, 400, "refused:invalid_request"],
    ["an unknown model", { model: "nope", messages: userMessage("x") }, 404, "refused:model_not_found"],
    ["an unfunded account", { model: "m-openai", messages: userMessage("x") }, 402, "refused:insufficient_credits"],
  ])("%s: recorded with its status, at no cost", async (_label, body, status, flag) => {
    const { key } = await createKey({ tenant: "t-main" });
    const res = await postJson("/v1/chat/completions", body, { key });
    expect(res.status).toBe(status);
    const event = await usageFor(key, res.headers.get("x-request-id"));
    expect(event).toMatchObject({ status, cost: 0 });
    expect(event?.flags).toContain(flag);
  });

  it("an admitted request has exactly one event, written with its settlement (not a refusal record)", async () => {
    const res = await postJson("/v1/chat/completions", { model: "m-openai", messages: userMessage(nonce()) });
    expect(res.status).toBe(200);
    await res.text();
    const id = res.headers.get("x-request-id");
    const list = async () =>
      ((await (await gw("/v1/usage?limit=100")).json()) as UsageList).data.filter((e) => e.request_id === id);
    for (let i = 0; i < 40 && (await list()).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    const events = await list();
    expect(events).toHaveLength(1);
    expect(events[0]?.status).toBe(200);
    expect(events[0]?.flags.some((f) => f.startsWith("refused:"))).toBe(false);
  });
});
