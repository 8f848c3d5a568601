import { describe, expect, it } from "vitest";
import { nonce, postJson, readSse, upstreamRequests, userMessage } from "../helpers/gateway";

describe("fallbacks, retries, timeouts and circuit breakers (real upstream on loopback)", () => {
  it("falls back to the next target when the first answers 503", async () => {
    const n = nonce();
    const res = await postJson("/v1/chat/completions", { model: "m-fallback", messages: userMessage(n) });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-gateway-provider")).toBe("fake-openai");
    const seen = await upstreamRequests(n);
    // fake-down is retried once (max_retries 1) before falling back.
    expect(seen.length).toBe(Number(res.headers.get("x-gateway-attempts")));
    expect(seen.at(-1)?.headers.authorization).toBe("Bearer fake-openai-secret");
  });

  it("falls back before the first byte of a stream", async () => {
    const res = await postJson("/v1/chat/completions", {
      model: "m-fallback",
      stream: true,
      messages: userMessage(nonce()),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-gateway-provider")).toBe("fake-openai");
    expect((await readSse(res)).at(-1)?.data).toBe("[DONE]");
  });

  it("abandons a target that exceeds the per-attempt timeout and falls back", async () => {
    const res = await postJson("/v1/chat/completions", { model: "m-slow-fallback", messages: userMessage(nonce()) });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-gateway-provider")).toBe("fake-openai");
  });

  it("retries the same target on a transient failure", async () => {
    const n = nonce();
    const res = await postJson("/v1/chat/completions", { model: "m-flaky", messages: userMessage(n) });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-gateway-attempts")).toBe("2");
    expect(res.headers.get("x-gateway-provider")).toBe("fake-flaky");
    expect(await upstreamRequests(n)).toHaveLength(2);
  });

  it("opens the breaker after repeated failures and stops calling the dead target", async () => {
    const calls: number[] = [];
    for (let i = 0; i < 4; i++) {
      const n = nonce();
      const res = await postJson("/v1/chat/completions", { model: "m-breaker", messages: userMessage(n) });
      expect(res.status).toBe(200);
      calls.push(
        (await upstreamRequests(n)).filter((r) => (r.body as { model: string }).model.includes("status=500")).length,
      );
    }
    // threshold 3 with one retry per request: the dead target is called in the first requests only.
    expect(calls.slice(0, 2).every((c) => c > 0)).toBe(true);
    expect(calls.at(-1)).toBe(0);
  });

  it("does not fall back after the first byte: a mid-stream drop ends the stream with an in-band error", async () => {
    const n = nonce();
    const res = await postJson("/v1/chat/completions", { model: "m-drop", stream: true, messages: userMessage(n) });
    expect(res.status).toBe(200);
    const events = await readSse(res);
    const last = JSON.parse(events.at(-1)?.data ?? "{}") as { error?: { code: string } };
    expect(last.error?.code).toMatch(/^upstream_/);
    expect(events.some((e) => e.data === "[DONE]")).toBe(false);
    expect(await upstreamRequests(n)).toHaveLength(1);
  });

  it("parses upstream SSE split into tiny frames with CRLF line endings", async () => {
    const res = await postJson("/v1/chat/completions", {
      model: "m-split",
      stream: true,
      stream_options: { include_usage: true },
      messages: userMessage(nonce()),
    });
    const events = await readSse(res);
    expect(events.at(-1)?.data).toBe("[DONE]");
    const text = events
      .slice(0, -1)
      .map(
        (e) => (JSON.parse(e.data) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? "",
      )
      .join("");
    expect(text.split(/\s+/).filter(Boolean).length).toBeGreaterThan(3);
  });
});
