import { beforeAll, describe, expect, it } from "vitest";
import type { ChatRequest } from "../../src/canonical/chat";
import { reservedPromptTokens } from "../../src/gateway/billing/pricing";
import { estimatePromptTokens } from "../../src/routing/token-estimate";
import {
  type Backend,
  type BackendName,
  chat,
  chatBody,
  entriesOf,
  fakeCalls,
  makeBackend,
  newAccount,
  request,
  requestIdOf,
  settled,
  sseData,
  usageOf,
} from "../helpers/billing";
import { nonce } from "../helpers/gateway";
import { checkInvariant } from "./ledger/invariant";

const FUNDS = 10_000_000;
/** billing.yaml's b-pc-* prices, micro-credits per million tokens. */
const PRICE = { input: 1_000_000, cachedInput: 250_000, cacheWrite: 1_250_000, output: 3_000_000 };

/** What the gateway should charge: prompt tiers summed and rounded up once, output on its own. */
function expectedCost(prompt: number, cached: number, written: number, output: number): number {
  const plain = prompt - cached - written;
  const micros = plain * PRICE.input + cached * PRICE.cachedInput + written * PRICE.cacheWrite;
  return Math.ceil(micros / 1_000_000) + (output * PRICE.output) / 1_000_000;
}

/** The worst-case hold: every prompt token at the dearest input tier (cache writes). */
function holdOf(body: object, maxTokens: number): number {
  const prompt = reservedPromptTokens(estimatePromptTokens(body as ChatRequest));
  return Math.ceil((prompt * PRICE.cacheWrite) / 1_000_000) + maxTokens * 3;
}

const PROMPT = "one two three four five six seven eight nine ten";

describe.each<BackendName>(["durable-object", "upstash"])("provider prompt caching is priced (%s)", (name) => {
  let b: Backend;
  beforeAll(async () => {
    b = await makeBackend(name);
  });

  describe.each([
    ["OpenAI prompt_tokens_details.cached_tokens", "b-pc-openai", 4, 0],
    ["Anthropic cache_read / cache_creation_input_tokens", "b-pc-anthropic", 4, 3],
    ["Gemini cachedContentTokenCount", "b-pc-gemini", 4, 0],
  ])("%s", (_, model, cached, written) => {
    it.each([
      ["JSON", false],
      ["stream", true],
    ])("%s: cache reads and writes billed at their prices, recorded on the usage event", async (_l, stream) => {
      const n = nonce(model);
      const account = await newAccount(b, FUNDS);
      const body = chatBody(model, `${PROMPT} ${n}`, { stream, max_tokens: 100 });
      const res = await chat(b, account, body);
      expect(res.status).toBe(200);
      // The hold stays the worst case: every prompt token at the dearest tier.
      expect(res.headers.get("x-gateway-credits-reserved")).toBe(String(holdOf(body, 100)));
      if (stream) await sseData(res);
      else await res.text();
      const [call] = await fakeCalls(n);
      const prompt = call?.answer?.promptTokens ?? -1;
      const output = call?.answer?.completionTokens ?? -1;
      expect(prompt).toBeGreaterThan(cached + written);
      await settled(b, account);
      const cost = expectedCost(prompt, cached, written, output);
      const event = await usageOf(b, account, requestIdOf(res));
      expect(event).toMatchObject({ inputTokens: prompt, outputTokens: output, cost, flags: [] });
      expect(event?.cachedTokens).toBe(cached);
      expect(event?.cacheWriteTokens).toBe(written === 0 ? undefined : written);
      const entries = await entriesOf(b, account, requestIdOf(res));
      expect(entries.map((e) => e.type)).toEqual(["reserve", "settle"]);
      expect(entries[1]?.charged).toBe(cost);
      // Cheaper than the same prompt at the plain input price whenever reads outweigh writes.
      if (written === 0) expect(cost).toBeLessThan(prompt + output * 3);
      await checkInvariant(b.ledger, account.keyId, account.tenantId, { atRest: true });
    });
  });

  it("more cached tokens than prompt tokens: billed at the hold, flagged usage_untrusted", async () => {
    const n = nonce("pc-over");
    const account = await newAccount(b, FUNDS);
    const body = chatBody("b-pc-over", `short ${n}`, { max_tokens: 100 });
    const res = await chat(b, account, body);
    expect(res.status).toBe(200);
    await res.text();
    await settled(b, account);
    const entries = await entriesOf(b, account, requestIdOf(res));
    expect(entries[1]?.charged).toBe(holdOf(body, 100));
    expect((await usageOf(b, account, requestIdOf(res)))?.flags).toContain("usage_untrusted");
  });

  it("an Anthropic client sees the cache counts in its own terms", async () => {
    const n = nonce("pc-anth-client");
    const account = await newAccount(b, FUNDS);
    const body = {
      model: "b-pc-anthropic",
      max_tokens: 64,
      messages: [{ role: "user", content: `${PROMPT} ${n}` }],
    };
    const res = await b.fetch(request(account, "/v1/messages", body));
    expect(res.status).toBe(200);
    const json = (await res.json()) as { usage: Record<string, number> };
    const [call] = await fakeCalls(n);
    const prompt = call?.answer?.promptTokens ?? -1;
    expect(json.usage).toMatchObject({
      input_tokens: prompt - 7,
      cache_read_input_tokens: 4,
      cache_creation_input_tokens: 3,
    });
    await settled(b, account);
  });
});
