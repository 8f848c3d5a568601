import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../worker";
import {
  ask,
  CACHE_BACKENDS,
  type CacheBackendName,
  caller,
  chat,
  contentOf,
  ENVS,
  nonce,
  send,
  upstreamChats,
} from "./cache/helpers";

interface Chunk {
  choices: { delta: { content?: string; role?: string }; finish_reason: string | null }[];
  usage?: { completion_tokens: number } | null;
}

function dataOf(text: string): string[] {
  return text
    .split(/\r?\n\r?\n/)
    .flatMap((block) => block.split(/\r?\n/).filter((l) => l.startsWith("data:")))
    .map((l) => l.slice(5).trim());
}

function streamed(text: string): { content: string; chunks: Chunk[]; done: boolean } {
  const data = dataOf(text);
  const chunks = data.filter((d) => d !== "[DONE]").map((d) => JSON.parse(d) as Chunk);
  const content = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
  return { content, chunks, done: data.at(-1) === "[DONE]" };
}

describe.each(CACHE_BACKENDS)("response cache and streams (%s)", (backend) => {
  it("stores a completed stream and replays it as SSE chunks to a streaming client", async () => {
    const who = await caller("t-cache-a");
    const n = nonce();
    const body = ask("cached", `Write a short packing list for a weekend hike ${n}`, {
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 60,
    });
    const live = await chat(backend, who, body);
    expect(live.cache).toBe("miss");
    const original = streamed(live.text);
    expect(original.done).toBe(true);

    const replay = await chat(backend, who, body);
    expect(replay.cache).toBe("hit");
    expect(replay.res.headers.get("content-type")).toContain("text/event-stream");
    const replayed = streamed(replay.text);
    expect(replayed.done).toBe(true);
    expect(replayed.content).toBe(original.content);
    expect(replayed.chunks.filter((c) => (c.choices[0]?.delta.content ?? "") !== "").length).toBeGreaterThan(1);
    expect(replayed.chunks.at(-2)?.choices[0]?.finish_reason).toBe(original.chunks.at(-2)?.choices[0]?.finish_reason);
    // include_usage: the replay ends with the original's usage chunk.
    expect(replayed.chunks.at(-1)?.usage?.completion_tokens).toBe(original.chunks.at(-1)?.usage?.completion_tokens);
    expect(await upstreamChats(n)).toBe(1);

    // The same answer serves a JSON client of the same request.
    const json = await chat(backend, who, { ...body, stream: false, stream_options: undefined });
    expect(json.cache).toBe("hit");
    expect(contentOf(json)).toBe(original.content);
  });

  it("replays a JSON-stored answer to a streaming client", async () => {
    const who = await caller("t-cache-a");
    const n = nonce();
    const body = ask("cached", `Recommend a board game for four players ${n}`);
    const first = await chat(backend, who, body);
    const replay = await chat(backend, who, { ...body, stream: true });
    expect(replay.cache).toBe("hit");
    const replayed = streamed(replay.text);
    expect(replayed.content).toBe(contentOf(first));
    // No include_usage: no usage chunk.
    expect(replayed.chunks.every((c) => c.usage == null)).toBe(true);
  });

  it("replays to an Anthropic streaming client in the Messages event format", async () => {
    const who = await caller("t-cache-a");
    const n = nonce();
    const body = {
      model: "cached",
      max_tokens: 100,
      temperature: 0,
      stream: true,
      messages: [{ role: "user", content: `Describe the smell of rain in one sentence ${n}` }],
    };
    const live = await send(backend, "/v1/messages", { body, key: who.key });
    expect(live.cache).toBe("miss");
    const replay = await send(backend, "/v1/messages", { body, key: who.key });
    expect(replay.cache).toBe("hit");
    const events = replay.text
      .split("\n")
      .filter((l) => l.startsWith("event:"))
      .map((l) => l.slice(6).trim());
    expect(events[0]).toBe("message_start");
    expect(events).toContain("content_block_delta");
    expect(events.at(-1)).toBe("message_stop");
    const textOf = (sse: string) =>
      dataOf(sse)
        .map((d) => JSON.parse(d) as { type: string; delta?: { text?: string } })
        .filter((e) => e.type === "content_block_delta")
        .map((e) => e.delta?.text ?? "")
        .join("");
    expect(textOf(replay.text)).toBe(textOf(live.text));
  });

  it("never stores a stream that broke off, or one the gateway cut", async () => {
    const who = await caller("t-cache-faults");
    const n = nonce();
    const dropped = ask("c-chat-drop", `Tell me a long story about a lighthouse ${n}`, { stream: true });
    expect((await chat(backend, who, dropped)).res.status).toBe(200);
    expect((await chat(backend, who, dropped)).cache).toBe("miss");
    const overrun = ask("c-chat-overrun", `Tell me a long story about a windmill ${n}`, {
      stream: true,
      max_tokens: 5,
    });
    const cut = streamed((await chat(backend, who, overrun)).text);
    expect(cut.chunks.some((c) => c.choices[0]?.finish_reason === "length")).toBe(true);
    expect((await chat(backend, who, overrun)).cache).toBe("miss");
    expect(await upstreamChats(n)).toBe(4);
  });

  it("never stores a stream the client walked away from", async () => {
    const who = await caller("t-cache-a");
    const n = nonce();
    const body = ask("cached", `List ten facts about octopuses ${n}`, { stream: true, max_tokens: 200 });
    await disconnectAfterFirstRead(backend, who.key, body);
    expect((await chat(backend, who, body)).cache).toBe("miss");
    expect((await chat(backend, who, body)).cache).toBe("hit");
  });
});

async function disconnectAfterFirstRead(backend: CacheBackendName, key: string, body: unknown): Promise<void> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request("http://gateway.test/v1/chat/completions", {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
    ENVS[backend],
    ctx,
  );
  const reader = res.body?.getReader();
  await reader?.read();
  await reader?.cancel();
  await waitOnExecutionContext(ctx);
}
