import { describe, expect, it } from "vitest";
import { ADMIN_SECRET_FOR_TESTS } from "../helpers/keys";
import {
  admin,
  ask,
  CACHE_BACKENDS,
  caller,
  chat,
  contentOf,
  nonce,
  send,
  upstreamChats,
  usageOf,
} from "./cache/helpers";

interface Stats {
  object: string;
  tenant: string;
  backend: string;
  entries: number;
  counts: { hit: number; miss: number; shadow: number; bypass: number };
  shadow_log: {
    request_id: string;
    kind: string;
    prompt: string;
    entry_prompt: string;
    score: number;
    cosine: number;
  }[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(CACHE_BACKENDS)("response cache: shadow mode, stats, invalidation, expiry (%s)", (backend) => {
  const stats = async (tenant = "t-cache-admin") =>
    (await admin(backend, `/admin/tenants/${tenant}/cache/stats`)).json() as Stats;

  it("shadow mode looks up and reports what it would have served, but always calls the model", async () => {
    const who = await caller("t-cache-admin");
    const n = nonce();
    const before = await stats();
    const first = await chat(
      backend,
      who,
      ask("cached-shadow", `Explain how photosynthesis works in simple terms for a child ${n}`),
    );
    expect(first.cache).toBe("miss");
    const exact = await chat(
      backend,
      who,
      ask("cached-shadow", `Explain how photosynthesis works in simple terms for a child ${n}`),
    );
    expect(exact.cache).toBe("shadow");
    expect(exact.res.headers.get("x-gateway-cache-score")).toBe("1.0000");
    expect(exact.res.headers.get("x-gateway-provider")).not.toBe("cache");
    const paraphrase = await chat(
      backend,
      who,
      ask("cached-shadow", `Please explain how photosynthesis works in simple terms for a child ${n}`),
    );
    expect(paraphrase.cache).toBe("shadow");
    // The model answered: the echo starts with the paraphrase's own first words.
    expect(contentOf(paraphrase)).toContain("Please");
    expect(await upstreamChats(n)).toBe(3);
    expect((await usageOf(who, paraphrase.requestId))?.cache).toBe("shadow");

    const after = await stats();
    expect(after.counts.shadow - before.counts.shadow).toBe(2);
    expect(after.counts.miss - before.counts.miss).toBe(1);
    expect(after.counts.hit - before.counts.hit).toBe(0);
    const logged = after.shadow_log.find((r) => r.request_id === paraphrase.requestId);
    expect(logged).toMatchObject({
      kind: "semantic",
      prompt: `Please explain how photosynthesis works in simple terms for a child ${n}`,
      entry_prompt: `Explain how photosynthesis works in simple terms for a child ${n}`,
    });
    expect(logged?.cosine).toBeLessThan(1);
  });

  it("counts hits, misses and bypasses per tenant and reports stored entries", async () => {
    const who = await caller("t-cache-admin");
    const before = await stats();
    const body = ask("cached", `What is the boiling point of water at sea level ${nonce()}`);
    await chat(backend, who, body);
    await chat(backend, who, body);
    await chat(backend, who, body);
    await chat(backend, who, body, { "cache-control": "no-store" });
    const after = await stats();
    expect(after).toMatchObject({ object: "cache_stats", tenant: "t-cache-admin", backend });
    expect(after.counts.miss - before.counts.miss).toBe(1);
    expect(after.counts.hit - before.counts.hit).toBe(2);
    expect(after.counts.bypass - before.counts.bypass).toBe(1);
    expect(after.entries).toBeGreaterThanOrEqual(1);
    const other = await stats("t-cache-b");
    expect(other.tenant).toBe("t-cache-b");
  });

  it("invalidates one model alias, then everything", async () => {
    const who = await caller("t-cache-admin");
    const n = nonce();
    const cached = ask("cached", `Name a famous bridge in San Francisco ${n}`);
    const shadowed = ask("cached-shadow", `Name a famous bridge in San Francisco ${n}`);
    await chat(backend, who, cached);
    await chat(backend, who, shadowed);
    const byModel = await admin(backend, "/admin/tenants/t-cache-admin/cache/invalidate", { model: "c-chat" });
    expect(byModel.res.status).toBe(200);
    expect(byModel.json()).toMatchObject({ object: "cache_invalidation", tenant: "t-cache-admin", model: "c-chat" });
    expect((byModel.json() as { deleted: number }).deleted).toBeGreaterThanOrEqual(1);
    expect((await chat(backend, who, cached)).cache).toBe("miss");
    expect((await chat(backend, who, shadowed)).cache).toBe("shadow");

    const all = await admin(backend, "/admin/tenants/t-cache-admin/cache/invalidate", {});
    expect((all.json() as { model: null; deleted: number }).model).toBeNull();
    expect((await chat(backend, who, cached)).cache).toBe("miss");
    expect((await chat(backend, who, shadowed)).cache).toBe("miss");
    // An empty body means everything, too.
    const empty = await send(backend, "/admin/tenants/t-cache-admin/cache/invalidate", {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_SECRET_FOR_TESTS}` },
    });
    expect(empty.res.status).toBe(200);
    expect((await stats()).entries).toBe(0);
  });

  it("expires entries after ttl_s", async () => {
    const who = await caller("t-cache-ttl");
    const body = ask("cached", `Convert ten miles into kilometres ${nonce()}`);
    await chat(backend, who, body);
    expect((await chat(backend, who, body)).cache).toBe("hit");
    await sleep(1100);
    expect((await chat(backend, who, body)).cache).toBe("miss");
  });

  it("evicts the least recently used entry beyond max_entries", async () => {
    const who = await caller("t-cache-small");
    const n = nonce();
    const q = (topic: string) => ask("cached", `Give one tip about ${topic} ${n}`, { temperature: 0.1 });
    await chat(backend, who, q("gardening"));
    await chat(backend, who, q("cooking"));
    expect((await chat(backend, who, q("gardening"))).cache).toBe("hit");
    await chat(backend, who, q("cycling"));
    // max_entries 2: cooking was least recently used.
    expect((await chat(backend, who, q("gardening"))).cache).toBe("hit");
    expect((await chat(backend, who, q("cooking"))).cache).toBe("miss");
  });
});

describe("response cache admin errors", () => {
  it("refuses without the admin secret, and answers 404 for unknown tenants and models", async () => {
    const noAuth = await send("durable-object", "/admin/tenants/t-cache-admin/cache/stats", {});
    expect(noAuth.res.status).toBe(401);
    const who = await caller("t-cache-admin");
    const withKey = await send("durable-object", "/admin/tenants/t-cache-admin/cache/stats", {
      headers: { authorization: `Bearer ${who.key}` },
    });
    expect(withKey.res.status).toBe(401);
    expect((await admin("durable-object", "/admin/tenants/no-such-tenant/cache/stats")).res.status).toBe(404);
    const badModel = await admin("durable-object", "/admin/tenants/t-cache-admin/cache/invalidate", { model: "nope" });
    expect(badModel.res.status).toBe(404);
    expect((badModel.json() as { error: { param: string } }).error.param).toBe("model");
    const badField = await admin("durable-object", "/admin/tenants/t-cache-admin/cache/invalidate", {
      modle: "c-chat",
    });
    expect(badField.res.status).toBe(400);
    const wrongMethod = await admin("durable-object", "/admin/tenants/t-cache-admin/cache/invalidate");
    expect(wrongMethod.res.status).toBe(405);
    expect(wrongMethod.res.headers.get("allow")).toBe("POST");
  });
});
