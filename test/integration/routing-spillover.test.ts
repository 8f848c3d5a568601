import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  type Account,
  chat,
  chatBody,
  durableObjectBackend,
  newAccount,
  requestIdOf,
  settled,
  sleep,
  usageOf,
} from "../helpers/billing";

/**
 * Load-aware spillover against a real origin cluster stand-in: the local origin with its load model (2 slots, a
 * queue, vLLM /metrics, ORCA header; started by test/global-setup.ts). The hosted fallback is the fake upstream.
 */

const b = durableObjectBackend();
const originUrl = String((env as unknown as Record<string, unknown>).LOAD_ORIGIN_URL);

interface Load {
  running: number;
  waiting: number;
  scrapes: number;
}

async function load(): Promise<Load> {
  return (await (await fetch(`${originUrl}/__load`)).json()) as Load;
}

async function until(what: string, check: () => Promise<boolean>, tries = 200): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await sleep(10);
  }
  throw new Error(`never: ${what}`);
}

/** Long answers (local-large is verbose; streamed at 20 ms a word): each holds a slot for over a second. */
function occupy(a: Account, model: string, n: number, stream = false): Promise<Response>[] {
  return Array.from({ length: n }, () => chat(b, a, chatBody(model, "keep the cluster busy please", { stream })));
}

describe("spillover: passive in-flight count", () => {
  it("the third concurrent call from this isolate goes to the hosted fallback, without any scrape", async () => {
    const a = await newAccount(b, 1_000_000_000, "t-routing");
    await until("origin idle", async () => (await load()).running === 0);
    const scrapesBefore = (await load()).scrapes;
    const busy = occupy(a, "r-origin-passive", 2);
    await until("two calls running", async () => (await load()).running === 2);
    const third = await chat(b, a, chatBody("r-origin-passive", "one more"));
    expect(third.headers.get("x-gateway-provider")).toBe("fake-hosted");
    expect(third.headers.get("x-gateway-spillover")).toBe("1");
    await third.text();
    for (const res of await Promise.all(busy)) {
      expect(res.headers.get("x-gateway-provider")).toBe("load-origin-passive");
      await res.text();
    }
    // Both calls ended, so the next one is the origin's again.
    const after = await chat(b, a, chatBody("r-origin-passive", "and now"));
    expect(after.headers.get("x-gateway-provider")).toBe("load-origin-passive");
    expect(after.headers.get("x-gateway-spillover")).toBeNull();
    await after.text();
    expect((await load()).scrapes).toBe(scrapesBefore);
    await settled(b, a);
  }, 30_000);
});

describe("spillover: origin load read from /metrics", () => {
  it("spills to the hosted fallback while the cluster is full, and comes back once it drains", async () => {
    const a = await newAccount(b, 1_000_000_000, "t-routing");
    await until("origin idle", async () => (await load()).running === 0);
    const busy = occupy(a, "r-origin-large", 4, true);
    await until("both slots taken, two waiting", async () => {
      const l = await load();
      return l.running === 2 && l.waiting === 2;
    });

    // Scrapes run in the background at most every 100 ms, so probes sent while the cluster is full soon see it.
    // They are not awaited one by one: a probe the origin still takes waits in its queue.
    const probes: Promise<Response>[] = [];
    for (let i = 0; i < 15; i++) {
      probes.push(chat(b, a, chatBody("r-origin", `probe ${i}`)));
      await sleep(60);
    }
    let spilled: Response | undefined;
    for (const res of await Promise.all(probes)) {
      expect(res.status).toBe(200);
      if (spilled === undefined && res.headers.get("x-gateway-provider") === "fake-hosted") spilled = res;
      else await res.text();
    }
    if (spilled === undefined) throw new Error("no request spilled while the cluster was full");
    expect(spilled.headers.get("x-gateway-model")).toBe("r-hosted");
    expect(spilled.headers.get("x-gateway-spillover")).toBe("1");
    expect(spilled.headers.get("x-gateway-decided-by")).toBe("alias");
    const id = requestIdOf(spilled);
    await spilled.text();

    for (const res of await Promise.all(busy)) {
      expect(res.status).toBe(200);
      await res.text();
    }
    await until("origin drained", async () => (await load()).running === 0);
    let back = false;
    for (let i = 0; i < 40 && !back; i++) {
      const res = await chat(b, a, chatBody("r-origin", `after ${i}`));
      back = res.headers.get("x-gateway-provider") === "load-origin";
      await res.text();
      await sleep(30);
    }
    expect(back).toBe(true);

    await settled(b, a);
    const event = await usageOf(b, a, id);
    expect(event?.provider).toBe("fake-hosted");
    expect(event?.routing).toMatchObject({ decidedBy: "alias", spillover: true });
  }, 30_000);
});
