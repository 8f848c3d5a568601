import { describe, expect, it } from "vitest";
import { ask, CACHE_BACKENDS, caller, chat, nonce, send, upstreamChats, usageOf } from "./cache/helpers";

const TOOLS = [
  {
    type: "function",
    function: { name: "lookup_order", description: "Find an order", parameters: { type: "object", properties: {} } },
  },
];

describe.each(CACHE_BACKENDS)("response cache scope (%s)", (backend) => {
  it("never shares entries between tenants, exact or semantic", async () => {
    const a = await caller("t-cache-a");
    const b = await caller("t-cache-b");
    const n = nonce();
    const body = ask("cached", `Summarise the refund policy for damaged goods ${n}`);
    expect((await chat(backend, a, body)).cache).toBe("miss");
    expect((await chat(backend, a, body)).cache).toBe("hit");
    const other = await chat(backend, b, body);
    expect(other.cache).toBe("miss");
    const paraphrase = await chat(
      backend,
      b,
      ask("cached", `Please summarise the refund policy for damaged goods ${n}`),
    );
    // b's own entry may answer b's paraphrase; a's never answered b.
    expect(await upstreamChats(n)).toBe(paraphrase.cache === "hit" ? 2 : 3);
    expect((await chat(backend, b, body)).cache).toBe("hit");
  });

  it("a different system prompt is a miss, however similar the question", async () => {
    const who = await caller("t-cache-a");
    const n = nonce();
    const question = `Which plan includes priority support ${n}`;
    const withSystem = (system: string) => ({
      model: "cached",
      temperature: 0,
      messages: [
        { role: "system", content: system },
        { role: "user", content: question },
      ],
    });
    expect((await chat(backend, who, withSystem("You are the billing assistant."))).cache).toBe("miss");
    expect((await chat(backend, who, withSystem("You are the billing assistant."))).cache).toBe("hit");
    expect((await chat(backend, who, withSystem("You are the sales assistant."))).cache).toBe("miss");
    expect((await chat(backend, who, ask("cached", question))).cache).toBe("miss");
  });

  it("a different model alias is a miss (the shadow route's alias never sees the cached route's entries)", async () => {
    const who = await caller("t-cache-a");
    const body = ask("cached", `Translate good morning into Portuguese ${nonce()}`);
    await chat(backend, who, body);
    expect((await chat(backend, who, body)).cache).toBe("hit");
    // The alias itself shares the route's entries: `cached` resolved to c-chat.
    expect((await chat(backend, who, { ...body, model: "c-chat" })).cache).toBe("hit");
    expect((await chat(backend, who, { ...body, model: "cached-shadow" })).cache).toBe("miss");
  });

  it("different tool definitions or sampling parameters are a miss", async () => {
    const who = await caller("t-cache-tools");
    const n = nonce();
    const body = ask("cached", `Where is my parcel ${n}`, { tools: TOOLS });
    expect((await chat(backend, who, body)).cache).toBe("miss");
    expect((await chat(backend, who, body)).cache).toBe("hit");
    const renamed = [{ ...TOOLS[0], function: { ...TOOLS[0]?.function, name: "find_order" } }];
    expect((await chat(backend, who, { ...body, tools: renamed })).cache).toBe("miss");
    expect((await chat(backend, who, { ...body, seed: 7 })).cache).toBe("miss");
    expect((await chat(backend, who, { ...body, max_tokens: 50 })).cache).toBe("miss");
    // Temperature within max_temperature is not part of the scope.
    expect((await chat(backend, who, { ...body, temperature: 0.7 })).cache).toBe("hit");
  });

  it("does not cache tool-call answers unless the policy allows it", async () => {
    const who = await caller("t-cache-a");
    const n = nonce();
    const body = ask("cached", `Where is my parcel ${n}`, { tools: TOOLS });
    const first = await chat(backend, who, body);
    expect((first.json() as { choices: { finish_reason: string }[] }).choices[0]?.finish_reason).toBe("tool_calls");
    expect((await chat(backend, who, body)).cache).toBe("miss");
    expect(await upstreamChats(n)).toBe(2);
  });

  it("multi-turn: the last user turn is compared, earlier turns must match exactly", async () => {
    const who = await caller("t-cache-a");
    const n = nonce();
    const turns = (earlier: string, last: string) => ({
      model: "cached",
      temperature: 0,
      messages: [
        { role: "user", content: earlier },
        { role: "assistant", content: "Sure, go ahead." },
        { role: "user", content: last },
      ],
    });
    const last = `Explain how photosynthesis works in simple terms for a child ${n}`;
    expect((await chat(backend, who, turns(`I have a biology question ${n}`, last))).cache).toBe("miss");
    expect(
      (await chat(backend, who, turns(`I have a biology question ${n}`, `Please ${last.toLowerCase()}`))).cache,
    ).toBe("hit");
    expect((await chat(backend, who, turns(`I have a chemistry question ${n}`, last))).cache).toBe("miss");
    expect((await chat(backend, who, ask("cached", last))).cache).toBe("miss");
  });

  it("bypasses requests that ask not to be cached, and requests above max_temperature", async () => {
    const who = await caller("t-cache-small");
    const n = nonce();
    const body = ask("cached", `Suggest a name for a grey cat ${n}`, { temperature: 0.2 });
    const noStore = await chat(backend, who, body, { "cache-control": "no-store" });
    expect(noStore.cache).toBe("bypass");
    expect((await usageOf(who, noStore.requestId))?.cache).toBe("bypass");
    // A bypass neither reads nor writes: the next normal request is a miss.
    expect((await chat(backend, who, body)).cache).toBe("miss");
    expect((await chat(backend, who, body, { "x-gateway-cache": "bypass" })).cache).toBe("bypass");
    expect((await chat(backend, who, body)).cache).toBe("hit");
    // t-cache-small: max_temperature 0.5; no temperature means the provider default, 1.
    expect((await chat(backend, who, { ...body, temperature: 0.9 })).cache).toBe("bypass");
    const { temperature: _t, ...withoutTemperature } = body;
    expect((await chat(backend, who, withoutTemperature)).cache).toBe("bypass");
    expect(await upstreamChats(n)).toBe(5);
  });

  it("an Anthropic /v1/messages client gets hits in its own format", async () => {
    const who = await caller("t-cache-a");
    const n = nonce();
    const body = {
      model: "cached",
      max_tokens: 200,
      temperature: 0,
      messages: [{ role: "user", content: `Give me a haiku about autumn leaves ${n}` }],
    };
    const post = () => send(backend, "/v1/messages", { body, key: who.key });
    const first = await post();
    expect(first.res.status).toBe(200);
    expect(first.cache).toBe("miss");
    const second = await post();
    expect(second.cache).toBe("hit");
    const message = second.json() as { type: string; content: { type: string; text: string }[] };
    expect(message.type).toBe("message");
    expect(message.content[0]?.text).toBe((first.json() as typeof message).content[0]?.text);
  });
});
