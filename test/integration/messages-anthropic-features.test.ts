import { describe, expect, it } from "vitest";
import { estimatePromptTokens } from "../../src/routing/token-estimate";
import { nonce, postJson, readSse, upstreamRequests } from "../helpers/gateway";

/** Anthropic features that only Anthropic upstreams can honour (issue 15 §2 and §3): kept for them, refused or dropped elsewhere. */

const EPHEMERAL = { type: "ephemeral" } as const;
const ONE_HOUR = { type: "ephemeral", ttl: "1h" } as const;
const PDF = { type: "base64", media_type: "application/pdf", data: "JVBERi0xLjQK" } as const;

function cachedRequest(model: string, n: string) {
  return {
    model,
    max_tokens: 32,
    system: [{ type: "text", text: "A long, stable system prompt.", cache_control: ONE_HOUR }],
    tools: [
      {
        name: "lookup",
        description: "Look up",
        input_schema: { type: "object", properties: {} },
        cache_control: EPHEMERAL,
      },
    ],
    tool_choice: { type: "none" },
    messages: [
      { role: "user", content: [{ type: "text", text: `first ${n}`, cache_control: EPHEMERAL }] },
      { role: "assistant", content: "ok" },
      { role: "user", content: "and now?" },
    ],
  };
}

async function bodyOf(n: string): Promise<Record<string, unknown>> {
  const [req] = await upstreamRequests(n);
  return req?.body as Record<string, unknown>;
}

describe("cache_control: kept for Anthropic upstreams, dropped for the others", () => {
  it("reaches an Anthropic upstream on system, tools and message blocks, TTL included", async () => {
    const n = nonce("cc-anth");
    const res = await postJson("/v1/messages", cachedRequest("m-anthropic", n));
    expect(res.status).toBe(200);
    const body = await bodyOf(n);
    expect(body.system).toEqual([{ type: "text", text: "A long, stable system prompt.", cache_control: ONE_HOUR }]);
    expect((body.tools as { cache_control?: unknown }[])[0]?.cache_control).toEqual(EPHEMERAL);
    const first = (body.messages as { content: { cache_control?: unknown }[] }[])[0];
    expect(first?.content[0]?.cache_control).toEqual(EPHEMERAL);
  });

  it.each(["m-openai", "m-gemini"])("is removed for %s, which answers normally", async (model) => {
    const n = nonce("cc-other");
    const res = await postJson("/v1/messages", cachedRequest(model, n));
    expect(res.status).toBe(200);
    expect(JSON.stringify(await bodyOf(n))).not.toContain("cache_control");
  });

  it("prompt_cache_key passes through to an OpenAI-compatible upstream and not to Anthropic", async () => {
    const n = nonce("pck");
    for (const model of ["m-openai", "m-anthropic"]) {
      const res = await postJson("/v1/chat/completions", {
        model,
        prompt_cache_key: `conv-${n}`,
        messages: [{ role: "user", content: `${model} ${n}` }],
      });
      expect(res.status).toBe(200);
    }
    const [openai, anthropic] = await Promise.all([
      upstreamRequests(`m-openai ${n}`),
      upstreamRequests(`m-anthropic ${n}`),
    ]);
    expect((openai[0]?.body as { prompt_cache_key?: string } | undefined)?.prompt_cache_key).toBe(`conv-${n}`);
    expect(JSON.stringify(anthropic[0]?.body)).not.toContain("prompt_cache_key");
  });
});

describe("thinking", () => {
  const thinking = { type: "enabled", budget_tokens: 1024 } as const;

  it("reaches an Anthropic upstream; the answer carries the thinking block, signature included", async () => {
    const n = nonce("think");
    const res = await postJson("/v1/messages", {
      model: "m-anthropic",
      max_tokens: 2048,
      thinking,
      messages: [{ role: "user", content: `why ${n}` }],
    });
    expect(res.status).toBe(200);
    expect((await bodyOf(n)).thinking).toEqual(thinking);
    const msg = (await res.json()) as { content: { type: string; thinking?: string; signature?: string }[] };
    expect(msg.content[0]).toMatchObject({ type: "thinking", thinking: `considering: why ${n}` });
    expect(msg.content[0]?.signature).toMatch(/^sig_/);
    expect(msg.content[1]?.type).toBe("text");
  });

  it("streams thinking_delta and signature_delta in their own block before the text", async () => {
    const n = nonce("think-sse");
    const res = await postJson("/v1/messages", {
      model: "m-anthropic",
      max_tokens: 2048,
      stream: true,
      thinking,
      messages: [{ role: "user", content: `why ${n}` }],
    });
    expect(res.status).toBe(200);
    type Ev = {
      type: string;
      index?: number;
      content_block: { type: string };
      delta: { type: string; thinking?: string; signature?: string };
    };
    const events = (await readSse(res)).map((e) => JSON.parse(e.data) as Ev);
    const starts = events.filter((e) => e.type === "content_block_start");
    expect(starts.map((e) => [e.index, e.content_block.type])).toEqual([
      [0, "thinking"],
      [1, "text"],
    ]);
    const deltas = events.filter((e) => e.type === "content_block_delta" && e.index === 0).map((e) => e.delta);
    expect(
      deltas
        .filter((d) => d.type === "thinking_delta")
        .map((d) => d.thinking)
        .join(""),
    ).toBe(`considering: why ${n}`);
    expect(deltas.find((d) => d.type === "signature_delta")?.signature).toMatch(/^sig_/);
  });

  it("passes earlier thinking blocks back to Anthropic verbatim", async () => {
    const n = nonce("think-back");
    const block = { type: "thinking", thinking: "earlier", signature: "sig_earlier" };
    const res = await postJson("/v1/messages", {
      model: "m-anthropic",
      max_tokens: 2048,
      thinking,
      messages: [
        { role: "user", content: "q1" },
        { role: "assistant", content: [block, { type: "text", text: "a1" }] },
        { role: "user", content: `q2 ${n}` },
      ],
    });
    expect(res.status).toBe(200);
    const messages = (await bodyOf(n)).messages as { content: unknown[] }[];
    expect(messages[1]?.content[0]).toEqual(block);
  });

  it.each(["m-openai", "m-gemini"])("is refused for %s with a 400 naming `thinking`", async (model) => {
    const n = nonce("think-no");
    const res = await postJson("/v1/messages", {
      model,
      max_tokens: 2048,
      thinking,
      messages: [{ role: "user", content: `why ${n}` }],
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; param: string } };
    expect(body.error).toMatchObject({ code: "unsupported_parameter", param: "thinking" });
    expect(await upstreamRequests(n)).toHaveLength(0);
  });
});

describe("document blocks", () => {
  it("reach an Anthropic upstream as sent", async () => {
    const n = nonce("doc");
    const doc = { type: "document", source: PDF, title: "spec", cache_control: EPHEMERAL };
    const res = await postJson("/v1/messages", {
      model: "m-anthropic",
      max_tokens: 32,
      messages: [{ role: "user", content: [doc, { type: "text", text: `summarise ${n}` }] }],
    });
    expect(res.status).toBe(200);
    const messages = (await bodyOf(n)).messages as { content: unknown[] }[];
    expect(messages[0]?.content[0]).toEqual(doc);
  });

  it("are refused for an upstream that cannot read them", async () => {
    const n = nonce("doc-no");
    const res = await postJson("/v1/messages", {
      model: "m-openai",
      max_tokens: 32,
      messages: [
        {
          role: "user",
          content: [
            { type: "document", source: PDF },
            { type: "text", text: n },
          ],
        },
      ],
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unsupported_parameter");
    expect(await upstreamRequests(n)).toHaveLength(0);
  });
});

describe("POST /v1/messages/count_tokens", () => {
  const words = "one two three four five six seven";

  it("is the Anthropic upstream's own count (exact)", async () => {
    const n = nonce("count");
    const res = await postJson("/v1/messages/count_tokens", {
      model: "m-anthropic",
      system: "be brief",
      messages: [{ role: "user", content: `${words} ${n}` }],
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-gateway-token-count")).toBe("exact");
    // The fake counts one token a word: system (2) + the message (8).
    expect(await res.json()).toEqual({ input_tokens: 10 });
    const [call] = await upstreamRequests(n);
    expect(call?.path).toBe("/anthropic/v1/messages/count_tokens");
  });

  it("is the gateway's estimate for other upstreams, labelled, with no upstream call", async () => {
    const n = nonce("count-est");
    const messages = [{ role: "user", content: `${words} ${n}` }];
    const res = await postJson("/v1/messages/count_tokens", { model: "m-openai", messages });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-gateway-token-count")).toBe("estimate");
    expect(await res.json()).toEqual({
      input_tokens: estimatePromptTokens({ model: "m-openai", messages: messages as never }),
    });
    expect(await upstreamRequests(n)).toHaveLength(0);
  });

  it("refuses generation settings and unknown models like /v1/messages does", async () => {
    const bad = await postJson("/v1/messages/count_tokens", {
      model: "m-anthropic",
      max_tokens: 5,
      messages: [{ role: "user", content: "x" }],
    });
    expect(bad.status).toBe(400);
    const missing = await postJson("/v1/messages/count_tokens", {
      model: "no-such",
      messages: [{ role: "user", content: "x" }],
    });
    expect(missing.status).toBe(404);
  });
});

describe("request-id", () => {
  it("is sent alongside x-request-id, on answers and errors (the Anthropic SDK's err.requestID)", async () => {
    const ok = await postJson("/v1/messages/count_tokens", {
      model: "m-openai",
      messages: [{ role: "user", content: "x" }],
    });
    const err = await postJson("/v1/messages", { model: "no-such", max_tokens: 5, messages: [] });
    for (const res of [ok, err]) {
      expect(res.headers.get("request-id")).toMatch(/^req_/);
      expect(res.headers.get("request-id")).toBe(res.headers.get("x-request-id"));
    }
  });
});
