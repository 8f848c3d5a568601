import { describe, expect, it } from "vitest";
import { nonce, postJson, upstreamRequests } from "../helpers/gateway";
import { TEST_KEYS } from "../helpers/keys";
import { CACHE_BACKENDS, caller, send, upstreamChats } from "./cache/helpers";
import { outputText, type ResponseJson, responsesEvents } from "./responses-helpers";

describe("POST /v1/responses — security", () => {
  it("never calls an upstream for an unauthenticated request", async () => {
    const n = nonce();
    const res = await postJson("/v1/responses", { model: "m-openai", input: n }, { key: null });
    expect(res.status).toBe(401);
    expect(await upstreamRequests(n)).toHaveLength(0);
  });

  it("takes the tenant from the credential: a model outside the caller's routes is a 403", async () => {
    const n = nonce();
    const res = await postJson(
      "/v1/responses",
      { model: "m-openai", input: n, metadata: { tenant: "t-main" }, user: "t-main" },
      { key: TEST_KEYS.restricted.key, headers: { "x-tenant-id": "t-main" } },
    );
    expect(res.status).toBe(403);
    expect(await upstreamRequests(n)).toHaveLength(0);
  });

  it("never returns provider secrets or upstream error bodies", async () => {
    for (const model of ["m-openai", "m-all-down", "m-anthropic", "m-gemini"]) {
      for (const stream of [false, true]) {
        const res = await postJson("/v1/responses", { model, input: nonce(), stream });
        const text = await res.text();
        for (const secret of ["fake-openai-secret", "fake-anthropic-secret", "fake-gemini-secret"]) {
          expect(text).not.toContain(secret);
          for (const value of res.headers.values()) expect(value).not.toContain(secret);
        }
      }
    }
  });

  it("metadata is echoed to the caller but never sent upstream", async () => {
    const n = nonce();
    const res = await postJson("/v1/responses", { model: "m-openai", input: n, metadata: { secret_ref: "s-42" } });
    expect(((await res.json()) as ResponseJson).metadata).toEqual({ secret_ref: "s-42" });
    expect(JSON.stringify(await upstreamRequests(n))).not.toContain("s-42");
  });
});

describe.each(CACHE_BACKENDS)("POST /v1/responses — the response cache applies unchanged (%s)", (backend) => {
  it("a repeated request is a hit, replayed as a response object and as a Responses stream", async () => {
    const who = await caller("t-cache-a");
    const n = nonce();
    const body = { model: "cached", input: `Write a short packing list for a weekend hike ${n}`, temperature: 0 };
    const first = await send(backend, "/v1/responses", { key: who.key, body });
    expect(first.cache).toBe("miss");
    const again = await send(backend, "/v1/responses", { key: who.key, body });
    expect(again.cache).toBe("hit");
    const a = first.json() as ResponseJson;
    const b = again.json() as ResponseJson;
    expect(outputText(b)).toBe(outputText(a));
    expect(b.id).not.toBe(a.id);

    const streamed = await send(backend, "/v1/responses", { key: who.key, body: { ...body, stream: true } });
    expect(streamed.cache).toBe("hit");
    const events = await responsesEvents(new Response(streamed.text));
    expect(events.at(-1)?.type).toBe("response.completed");
    expect(outputText(events.at(-1)?.response as ResponseJson)).toBe(outputText(a));
    expect(await upstreamChats(n)).toBe(1);
  });
});
