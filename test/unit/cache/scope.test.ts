import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../../src/cache/canonical-json";
import { cacheKeys } from "../../../src/cache/scope";
import type { ChatRequest } from "../../../src/canonical/chat";

const base: ChatRequest = {
  model: "route-x",
  temperature: 0,
  messages: [
    { role: "system", content: "You are terse." },
    { role: "user", content: "What is the capital of France?" },
  ],
};

const keys = (req: ChatRequest, tenant = "t1", alias = "m1") => cacheKeys(tenant, alias, req);

describe("cache keys (scoping rule)", () => {
  it("embeds the last user turn's text, trimmed, text parts joined", async () => {
    expect((await keys(base)).prompt).toBe("What is the capital of France?");
    const parts: ChatRequest = {
      ...base,
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "  line one" },
            { type: "text", text: "line two " },
          ],
        },
      ],
    };
    expect((await keys(parts)).prompt).toBe("line one\nline two");
    expect((await keys({ ...base, messages: [{ role: "system", content: "only system" }] })).prompt).toBe("");
  });

  it("ignores what cannot change the answer: key order, stream options, user, temperature, text-vs-parts form", async () => {
    const a = await keys(base);
    const reordered = await keys({
      messages: [
        { content: "You are terse.", role: "system" },
        { content: [{ type: "text", text: "What is the capital of France? " }], role: "user" },
      ],
      temperature: 0.4,
      stream: true,
      stream_options: { include_usage: true },
      user: "someone",
      model: "another-route-name",
    });
    expect(reordered).toEqual(a);
  });

  it.each([
    ["tenant", (r: ChatRequest) => keys(r, "t2")],
    ["model alias", (r: ChatRequest) => keys(r, "t1", "m2")],
    [
      "system prompt",
      (r: ChatRequest) =>
        keys({ ...r, messages: [{ role: "system", content: "Be verbose." }, ...r.messages.slice(1)] }),
    ],
    ["tools", (r: ChatRequest) => keys({ ...r, tools: [{ type: "function", function: { name: "f" } }] })],
    ["tool_choice", (r: ChatRequest) => keys({ ...r, tool_choice: "none" })],
    ["response_format", (r: ChatRequest) => keys({ ...r, response_format: { type: "json_object" } })],
    ["n", (r: ChatRequest) => keys({ ...r, n: 2 })],
    ["stop", (r: ChatRequest) => keys({ ...r, stop: "END" })],
    ["seed", (r: ChatRequest) => keys({ ...r, seed: 1 })],
    ["max tokens", (r: ChatRequest) => keys({ ...r, max_tokens: 10 })],
    ["top_p", (r: ChatRequest) => keys({ ...r, top_p: 0.5 })],
    ["an unknown field", (r: ChatRequest) => keys({ ...r, logit_bias: { "42": 1 } })],
  ])("a different %s changes the scope (and so the exact key)", async (_what, vary) => {
    const a = await keys(base);
    const b = await vary(base);
    expect(b.scope).not.toBe(a.scope);
    expect(b.exact).not.toBe(a.exact);
    expect(b.prompt).toBe(a.prompt);
  });

  it("treats defaults as given: n 1, a single stop string, max_tokens vs max_completion_tokens", async () => {
    expect(await keys({ ...base, n: 1 })).toEqual(await keys(base));
    expect(await keys({ ...base, stop: "END" })).toEqual(await keys({ ...base, stop: ["END"] }));
    expect(await keys({ ...base, max_tokens: 10 })).toEqual(await keys({ ...base, max_completion_tokens: 10 }));
  });

  it("multi-turn: a different last turn keeps the scope; a different earlier turn changes it", async () => {
    const turns = (earlier: string, last: string): ChatRequest => ({
      model: "x",
      messages: [
        { role: "user", content: earlier },
        { role: "assistant", content: "ok" },
        { role: "user", content: last },
      ],
    });
    const a = await keys(turns("about rivers", "how long is the Nile"));
    const b = await keys(turns("about rivers", "how long is the Amazon"));
    const c = await keys(turns("about deserts", "how long is the Nile"));
    expect(b.scope).toBe(a.scope);
    expect(b.exact).not.toBe(a.exact);
    expect(c.scope).not.toBe(a.scope);
    // A lone question never shares a scope with a follow-up.
    expect((await keys({ model: "x", messages: [{ role: "user", content: "how long is the Nile" }] })).scope).not.toBe(
      a.scope,
    );
  });

  it("an image in the last turn is part of the scope, not of the embedded text", async () => {
    const withImage = (url: string): ChatRequest => ({
      model: "x",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "what is in this picture" },
            { type: "image_url", image_url: { url } },
          ],
        },
      ],
    });
    const a = await keys(withImage("https://example.com/a.png"));
    const b = await keys(withImage("https://example.com/b.png"));
    expect(a.prompt).toBe("what is in this picture");
    expect(b.scope).not.toBe(a.scope);
  });

  it("the embedder is part of the scope: vectors of two embedders are never compared", async () => {
    const one = await cacheKeys("t1", "m1", base, "model:embed-a");
    const other = await cacheKeys("t1", "m1", base, "model:embed-b");
    expect(one.scope).not.toBe(other.scope);
    expect(one.exact).not.toBe(other.exact);
    expect((await cacheKeys("t1", "m1", base, "model:embed-a")).scope).toBe(one.scope);
  });

  it("canonical JSON sorts keys at every level and drops undefined members", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: undefined }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"z":1}]},"b":1}',
    );
  });
});
