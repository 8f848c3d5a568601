import { describe, expect, it } from "vitest";
import type { CachePut, SemanticCache } from "../../../src/cache/types";
import type { ChatChunk, ChatRequest, ChunkEvent } from "../../../src/canonical/chat";
import { openChatCache, type StreamFacts } from "../../../src/gateway/cache";
import type { ChatContext } from "../../../src/gateway/types";
import type { CacheConfig } from "../../../src/policy/types";
import type { RoutePlan } from "../../../src/routing/plan";

/**
 * What the response cache files after a stream: only a COMPLETED answer. An OpenAI-compatible upstream that closes
 * its response early but cleanly (no `[DONE]`, no finish_reason) ends the chunk stream without an error, so the
 * tap sees a normal end: it must still refuse an answer whose choices never finished.
 */

const CFG: CacheConfig = {
  mode: "on",
  exact: true,
  semantic: false,
  ttl_s: 60,
  max_entries: 100,
  hit_price_ppm: 0,
  max_temperature: 2,
  cache_tool_calls: false,
};

function fakeCache(puts: CachePut[]): SemanticCache {
  return {
    get: async () => undefined,
    query: async () => [],
    touch: async () => undefined,
    put: async (p) => {
      puts.push(p);
    },
    invalidate: async () => 0,
    count: async () => undefined,
    recordShadow: async () => undefined,
    stats: async () => ({ counts: { hit: 0, miss: 0, shadow: 0, bypass: 0 }, entries: 0, shadow: [] }),
  };
}

function chunk(delta: ChatChunk["choices"][number]["delta"], finish: "stop" | null = null): ChunkEvent {
  return {
    chunk: {
      id: "c1",
      object: "chat.completion.chunk",
      created: 1,
      model: "m",
      choices: [{ index: 0, delta, finish_reason: finish }],
    },
  };
}

async function* events(list: ChunkEvent[]): AsyncGenerator<ChunkEvent> {
  for (const ev of list) yield ev;
}

async function tapped(list: ChunkEvent[], delivered = true): Promise<CachePut[]> {
  const puts: CachePut[] = [];
  const pending: Promise<unknown>[] = [];
  const ctx = {
    services: { now: () => 1_000, cache: { store: { name: "durable-object", forTenant: () => fakeCache(puts) } } },
    principal: { tenant: { id: "t1" } },
    billing: { requestId: "r1" },
    startedAt: 0,
    waitUntil: (p: Promise<unknown>) => pending.push(p),
  } as unknown as ChatContext;
  const plan = { route: { name: "r", cache: CFG }, alias: "a" } as unknown as RoutePlan;
  const req: ChatRequest = { model: "a", messages: [{ role: "user", content: "hello" }], temperature: 0 };
  const { cache } = await openChatCache(ctx, req, plan);
  const admission = {
    clamped: false,
    reserved: 1_000_000,
    outputTokens: 100,
    pricing: { input_per_mtok: 1, output_per_mtok: 1 },
  };
  const facts = {
    meta: { alias: "a" },
    admission,
    settlement: { admission, promptEstimate: 5 },
    model: { context_window: 1000 },
  } as unknown as StreamFacts;
  for await (const _ of cache.tap(events(list), facts, Promise.resolve(delivered))) {
    // drain
  }
  await Promise.all(pending);
  return puts;
}

describe("the cache stores only completed streams", () => {
  it("stores a stream whose answer finished", async () => {
    const puts = await tapped([chunk({ role: "assistant", content: "Hi " }), chunk({ content: "there" }, "stop")]);
    expect(puts).toHaveLength(1);
  });

  it("never stores a finished stream the client did not receive to the end", async () => {
    const puts = await tapped(
      [chunk({ role: "assistant", content: "Hi " }), chunk({ content: "there" }, "stop")],
      false,
    );
    expect(puts).toEqual([]);
  });

  it("never stores a stream that ended without a finish reason (cut off, even if cleanly)", async () => {
    const puts = await tapped([chunk({ role: "assistant", content: "Hi " }), chunk({ content: "the" })]);
    expect(puts).toEqual([]);
  });
});
