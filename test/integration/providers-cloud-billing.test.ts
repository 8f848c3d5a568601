import { beforeAll, describe, expect, it } from "vitest";
import {
  type Backend,
  chat,
  chatBody,
  contentOf,
  costOf,
  deliveredText,
  entriesOf,
  estimatedCost,
  fakeCalls,
  makeBackend,
  newAccount,
  requestIdOf,
  settled,
  sseData,
  usageOf,
} from "../helpers/billing";
import { nonce } from "../helpers/gateway";
import { checkInvariant } from "./ledger/invariant";

/**
 * What the cloud providers' answers bill (billing.yaml prices: 1 micro-credit per input token, 3 per output token):
 * the upstream's own usage when it reports it, the gateway's estimate when it does not or when a stream breaks.
 */

const FUNDS = 10_000_000;

/** Anthropic's wire format always carries usage (its decoder refuses a message without it), so no omit case there. */
describe.each([
  ["bedrock", "b-bedrock", true],
  ["vertex gemini", "b-vertex", true],
  ["vertex anthropic", "b-vclaude", false],
])("%s billing", (_, prefix, usageOptional) => {
  let b: Backend;
  beforeAll(async () => {
    b = await makeBackend("durable-object");
  });

  it.each([
    ["JSON", false, prefix],
    ["a stream", true, prefix],
    ["a stream split into 1..7-byte pieces", true, `${prefix}-split`],
  ])("%s is billed with the upstream's own usage", async (_, stream, model) => {
    const n = nonce("cloud-bill");
    const account = await newAccount(b, FUNDS);
    const body = chatBody(model, `bill ${n}`, { stream });
    const res = await chat(b, account, body);
    expect(res.status).toBe(200);
    if (stream) {
      const data = await sseData(res);
      expect(data.at(-1)).toBe("[DONE]");
      expect(contentOf(data).split(" ").length).toBe(20);
    } else await res.json();
    const [call] = await fakeCalls(n);
    expect(call?.answer?.completionTokens).toBe(20);
    await settled(b, account);
    const entries = await entriesOf(b, account, requestIdOf(res));
    expect(entries.map((e) => e.type)).toEqual(["reserve", "settle"]);
    expect(entries[1]?.charged).toBe(costOf(call?.answer?.promptTokens ?? -1, 20));
    await checkInvariant(b.ledger, account.keyId, account.tenantId, { atRest: true });
  });

  it.runIf(usageOptional).each([
    ["stream", true],
    ["JSON", false],
  ])("no usage from the upstream (%s): estimated, flagged usage_estimated", async (_, stream) => {
    const n = nonce("cloud-omit");
    const account = await newAccount(b, FUNDS);
    const body = chatBody(`${prefix}-omit`, `omit ${n}`, { stream });
    const res = await chat(b, account, body);
    expect(res.status).toBe(200);
    const text = await deliveredText(res, stream);
    const [call] = await fakeCalls(n);
    expect(call?.answer?.reportedUsage).toBeUndefined();
    await settled(b, account);
    const event = await usageOf(b, account, requestIdOf(res));
    expect(event?.flags).toContain("usage_estimated");
    expect(event?.cost).toBe(estimatedCost(body, text));
  });

  it("an error frame mid-stream: the client gets an error event, billed for what was delivered", async () => {
    const n = nonce("cloud-mid");
    const account = await newAccount(b, FUNDS);
    const body = chatBody(`${prefix}-err-mid`, `mid ${n}`, { stream: true });
    const res = await chat(b, account, body);
    expect(res.status).toBe(200);
    const data = await sseData(res);
    expect(data.at(-1)).not.toBe("[DONE]");
    expect(data.at(-1)).toContain('"error"');
    const delivered = contentOf(data.slice(0, -1));
    expect(delivered.split(" ").length).toBe(4);
    await settled(b, account);
    const entries = await entriesOf(b, account, requestIdOf(res));
    expect(entries[1]?.charged).toBe(estimatedCost(body, delivered));
    const event = await usageOf(b, account, requestIdOf(res));
    expect(event?.flags).toContain("upstream_failed_mid_stream");
    await checkInvariant(b.ledger, account.keyId, account.tenantId, { atRest: true });
  });
});

describe("prompt-cache usage", () => {
  it("Bedrock's cacheRead/cacheWrite tokens are billed at the cache prices", async () => {
    const b = await makeBackend("durable-object");
    const n = nonce("cloud-cache");
    const account = await newAccount(b, FUNDS);
    const res = await chat(
      b,
      account,
      chatBody("b-bedrock-cache", `cache ${n} one two three four five six seven eight nine ten`),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      usage: { prompt_tokens: number; prompt_tokens_details?: Record<string, number> };
    };
    expect(body.usage.prompt_tokens_details).toEqual({ cached_tokens: 6, cache_write_tokens: 3 });
    const [call] = await fakeCalls(n);
    const prompt = call?.answer?.promptTokens ?? -1;
    expect(body.usage.prompt_tokens).toBe(prompt);
    await settled(b, account);
    const event = await usageOf(b, account, requestIdOf(res));
    // Prompt tiers summed in micro-credits per million and rounded up once: 6 cached at 0.1, 3 written at 2, the
    // rest at 1; 20 output tokens at 3.
    const expected = Math.ceil(((prompt - 9) * 1_000_000 + 6 * 100_000 + 3 * 2_000_000) / 1_000_000) + 20 * 3;
    expect(event?.cost).toBe(expected);
  });
});
