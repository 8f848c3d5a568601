import { describe, expect, it } from "vitest";
import { gw, nonce, postJson, upstreamRequests, userMessage } from "../helpers/gateway";
import { createKey, topUp } from "./admin-helpers";

/** m-small-context (test policy) has a 1000-token context window. */
describe("context window: checked from the estimate before any credit is held", () => {
  it("a prompt far above the window is 400 context_length_exceeded: no hold, no upstream call", async () => {
    const created = await createKey({ tenant: "t-main" });
    await topUp(created.key_id, 1_000_000);
    const before = await (await gw("/v1/balance", { key: created.key })).json();
    const marker = nonce("ctx");
    const res = await postJson(
      "/v1/chat/completions",
      { model: "m-small-context", messages: userMessage(`${marker} ${"lorem ipsum ".repeat(1000)}`) },
      { key: created.key },
    );
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; type: string; param: string; message: string } };
    expect(body.error).toMatchObject({
      code: "context_length_exceeded",
      type: "invalid_request_error",
      param: "messages",
      message: expect.stringMatching(/^This model's maximum context length is 1000 tokens\./),
    });
    expect(await (await gw("/v1/balance", { key: created.key })).json()).toEqual(before);
    expect(await upstreamRequests(marker)).toEqual([]);
  });

  it("a prompt that fits is served", async () => {
    const res = await postJson("/v1/chat/completions", {
      model: "m-small-context",
      messages: userMessage("lorem ipsum ".repeat(100)),
    });
    expect(res.status).toBe(200);
  });
});
