import { describe, expect, it } from "vitest";
import type { ChatRequest } from "../../../src/canonical/chat";
import { cacheAffinityKey, seededRandom } from "../../../src/routing/affinity";
import { orderTargets } from "../../../src/routing/weighted-order";

const marked = (text: string) => ({ type: "text", text, cache_control: { type: "ephemeral" } });

function req(messages: ChatRequest["messages"], extra: Partial<ChatRequest> = {}): ChatRequest {
  return { model: "m", messages, ...extra };
}

const conversation = [
  { role: "system" as const, content: [marked("a long stable system prompt")] },
  { role: "user" as const, content: "first question" },
];

describe("cacheAffinityKey", () => {
  describe.each<[string, ChatRequest, "none" | "key" | "prefix"]>([
    ["no breakpoint and no client key", req([{ role: "user", content: "hi" }]), "none"],
    ["a client prompt_cache_key", req([{ role: "user", content: "hi" }], { prompt_cache_key: "conv-1" }), "key"],
    ["a breakpoint on a message part", req(conversation), "prefix"],
    [
      "a breakpoint on a tool",
      req([{ role: "user", content: "hi" }], {
        tools: [{ type: "function", function: { name: "t" }, cache_control: { type: "ephemeral" } }],
      }),
      "prefix",
    ],
  ])("%s", (_, request, kind) => {
    it(`gives ${kind}`, () => {
      const key = cacheAffinityKey(request);
      if (kind === "none") expect(key).toBeUndefined();
      else expect(key?.startsWith(`${kind}:`)).toBe(true);
    });
  });

  it("is the same for every turn after the breakpoint, and changes with the cached prefix", () => {
    const first = cacheAffinityKey(req(conversation));
    const later = cacheAffinityKey(
      req([...conversation, { role: "assistant", content: "answer" }, { role: "user", content: "follow-up" }]),
    );
    const otherPrefix = cacheAffinityKey(
      req([
        { role: "system", content: [marked("another system prompt")] },
        { role: "user", content: "first question" },
      ]),
    );
    expect(later).toBe(first);
    expect(otherPrefix).not.toBe(first);
  });

  it("prefers the client's key to the prefix hash", () => {
    expect(cacheAffinityKey(req(conversation, { prompt_cache_key: "k" }))).toBe("key:k");
  });
});

describe("seeded target order", () => {
  const targets = [
    { name: "a", priority: 0, weight: 3 },
    { name: "b", priority: 0, weight: 1 },
    { name: "c", priority: 1, weight: 1 },
  ];

  it("gives one key the same order every time", () => {
    const orders = new Set(
      Array.from({ length: 20 }, () =>
        orderTargets(targets, seededRandom("key:conv-7"))
          .map((t) => t.name)
          .join(),
      ),
    );
    expect(orders.size).toBe(1);
  });

  it("still spreads different keys by weight inside a tier, and keeps tiers in order", () => {
    let firstIsA = 0;
    const keys = 4000;
    for (let i = 0; i < keys; i++) {
      const order = orderTargets(targets, seededRandom(`key:conv-${i}`)).map((t) => t.name);
      expect(order[2]).toBe("c");
      if (order[0] === "a") firstIsA++;
    }
    expect(firstIsA / keys).toBeGreaterThan(0.72);
    expect(firstIsA / keys).toBeLessThan(0.78);
  });
});
