import { beforeAll, describe, expect, it } from "vitest";
import {
  type Backend,
  type BackendName,
  chat,
  chatBody,
  contentOf,
  costOf,
  dataOf,
  deliveredText,
  entriesOf,
  estimatedCost,
  fakeCalls,
  holdFor,
  makeBackend,
  newAccount,
  readThenDisconnect,
  request,
  requestIdOf,
  settled,
  sleep,
  sseData,
  terminalOf,
  usageOf,
} from "../helpers/billing";
import { nonce } from "../helpers/gateway";
import { checkInvariant } from "./ledger/invariant";

const FUNDS = 10_000_000;

/** What the gateway bills when it has to estimate: its prompt estimate, and the script-aware estimate of the output. */

describe.each<BackendName>(["durable-object", "upstash"])("streamed billing (%s)", (name) => {
  let b: Backend;
  beforeAll(async () => {
    b = await makeBackend(name);
  });

  it("a completed stream is billed with the upstream's usage, even when the client did not ask for it", async () => {
    const n = nonce("stream-ok");
    const account = await newAccount(b, FUNDS);
    const body = chatBody("b-chat", `stream ${n}`, { stream: true, max_tokens: 100 });
    const res = await chat(b, account, body);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-gateway-credits-reserved")).toBe(String(holdFor(body, 100).hold));
    expect(res.headers.get("x-gateway-credits-remaining")).toBe(String(FUNDS - holdFor(body, 100).hold));
    const data = await sseData(res);
    expect(data.at(-1)).toBe("[DONE]");
    expect(data.some((d) => d.includes('"usage":{'))).toBe(false);

    const [call] = await fakeCalls(n);
    expect(call?.answer).toMatchObject({ completionTokens: 20, contentEvents: 20, completed: true });
    const expected = costOf(call?.answer?.promptTokens ?? -1, 20);
    await settled(b, account);
    const entries = await entriesOf(b, account, requestIdOf(res));
    expect(entries.map((e) => e.type)).toEqual(["reserve", "settle"]);
    expect(entries[1]?.charged).toBe(expected);
    expect(await usageOf(b, account, requestIdOf(res))).toMatchObject({ outputTokens: 20, cost: expected, flags: [] });
    await checkInvariant(b.ledger, account.keyId, account.tenantId, { atRest: true });
  });

  it("forwards the usage chunk when asked, with the numbers that were billed", async () => {
    const n = nonce("stream-usage");
    const account = await newAccount(b, FUNDS);
    const body = chatBody("b-chat", `stream ${n}`, { stream: true, stream_options: { include_usage: true } });
    const res = await chat(b, account, body);
    const data = await sseData(res);
    const usage = (JSON.parse(data.at(-2) ?? "{}") as { usage?: { prompt_tokens: number; completion_tokens: number } })
      .usage;
    expect(usage?.completion_tokens).toBe(20);
    await settled(b, account);
    const event = await usageOf(b, account, requestIdOf(res));
    expect(event).toMatchObject({ inputTokens: usage?.prompt_tokens, outputTokens: 20 });
  });

  it("an Anthropic stream is billed from message_delta usage", async () => {
    const n = nonce("anth-stream");
    const account = await newAccount(b, FUNDS);
    const body = {
      model: "b-anthropic",
      max_tokens: 64,
      stream: true,
      messages: [{ role: "user", content: `s ${n}` }],
    };
    const res = await b.fetch(request(account, "/v1/messages", body));
    expect(res.status).toBe(200);
    await res.text();
    const [call] = await fakeCalls(n);
    await settled(b, account);
    const event = await usageOf(b, account, requestIdOf(res));
    expect(event).toMatchObject({
      inputTokens: call?.answer?.promptTokens,
      outputTokens: call?.answer?.completionTokens,
      cost: costOf(call?.answer?.promptTokens ?? -1, call?.answer?.completionTokens ?? -1),
      flags: [],
    });
  });

  it("an upstream that drops mid-stream: billed for what was delivered, flagged upstream_failed_mid_stream", async () => {
    const n = nonce("drop");
    const account = await newAccount(b, FUNDS);
    const body = chatBody("b-drop", `drop ${n}`, { stream: true });
    const res = await chat(b, account, body);
    expect(res.status).toBe(200);
    const data = await sseData(res);
    expect(data.at(-1)).not.toBe("[DONE]");
    expect(data.at(-1)).toContain('"error"');
    const delivered = contentOf(data.slice(0, -1));
    const [call] = await fakeCalls(n);
    expect(call?.answer).toMatchObject({ contentEvents: 5, completed: false });

    await settled(b, account);
    const entries = await entriesOf(b, account, requestIdOf(res));
    expect(entries.map((e) => e.type)).toEqual(["reserve", "settle"]);
    expect(entries[1]?.charged).toBe(estimatedCost(body, delivered));
    expect(entries[1]?.charged).toBeGreaterThan(0);
    const event = await usageOf(b, account, requestIdOf(res));
    expect(event?.flags).toContain("upstream_failed_mid_stream");
    await checkInvariant(b.ledger, account.keyId, account.tenantId, { atRest: true });
  });

  it("an upstream that ends cleanly mid-answer (no finish, no [DONE]): an in-band error, billed as a failed stream", async () => {
    const n = nonce("endearly");
    const account = await newAccount(b, FUNDS);
    const body = chatBody("b-end-early", `end ${n}`, { stream: true });
    const res = await chat(b, account, body);
    expect(res.status).toBe(200);
    const data = await sseData(res);
    // The client is never told the answer is complete.
    expect(data.at(-1)).not.toBe("[DONE]");
    expect(data.at(-1)).toContain('"error"');
    const delivered = contentOf(data.slice(0, -1));
    expect(delivered.length).toBeGreaterThan(0);
    await settled(b, account);
    const entries = await entriesOf(b, account, requestIdOf(res));
    expect(entries.map((e) => e.type)).toEqual(["reserve", "settle"]);
    expect(entries[1]?.charged).toBe(estimatedCost(body, delivered));
    expect((await usageOf(b, account, requestIdOf(res)))?.flags).toContain("upstream_failed_mid_stream");
  });

  it("an error event mid-stream: billed for what was delivered, flagged", async () => {
    const n = nonce("errmid");
    const account = await newAccount(b, FUNDS);
    const body = chatBody("b-err-mid", `err ${n}`, { stream: true });
    const res = await chat(b, account, body);
    expect(res.status).toBe(200);
    const data = await sseData(res);
    const delivered = contentOf(data.filter((d) => !d.includes('"error"')));
    expect(delivered.length).toBeGreaterThan(0);
    await settled(b, account);
    const entries = await entriesOf(b, account, requestIdOf(res));
    expect(entries.map((e) => e.type)).toEqual(["reserve", "settle"]);
    expect(entries[1]?.charged).toBe(estimatedCost(body, delivered));
    expect((await usageOf(b, account, requestIdOf(res)))?.flags).toContain("upstream_failed_mid_stream");
  });

  it("a client that disconnects mid-stream: exactly one settlement, for what was delivered, flagged", async () => {
    const n = nonce("gone");
    const account = await newAccount(b, FUNDS);
    const body = chatBody("b-slow", `slow ${n}`, { stream: true, max_tokens: 200 });
    const { hold } = holdFor(body, 200);
    const res = await chat(b, account, body);
    expect(res.status).toBe(200);
    const id = requestIdOf(res);
    const text = await readThenDisconnect(res, 4);
    expect(dataOf(text).length).toBeGreaterThanOrEqual(4);

    // Bounded below the test timeout, so a settlement that never comes fails with the ledger's state.
    await settled(b, account, 3_000);
    // Late duplicates would show up after the first settlement: give them the time of a few more chunks.
    await sleep(300);
    const entries = await entriesOf(b, account, id);
    expect(entries.map((e) => e.type)).toEqual(["reserve", "settle"]);
    const charged = entries[1]?.charged ?? -1;
    expect(charged).toBeGreaterThan(0);
    expect(charged).toBeLessThan(hold);
    const event = await usageOf(b, account, id);
    expect(event?.flags).toContain("client_disconnected");
    // Billed for what passed through, not for the 60 words the upstream would have sent.
    expect(event?.outputTokens).toBeLessThan(60);
    const [call] = await fakeCalls(n);
    expect(call?.answer?.completed).toBe(false);
    await checkInvariant(b.ledger, account.keyId, account.tenantId, { atRest: true });
  });

  it("an upstream error before the first byte voids the hold: no charge", async () => {
    const n = nonce("void");
    const account = await newAccount(b, FUNDS);
    const res = await chat(b, account, chatBody("b-err500", `fail ${n}`, { stream: true }));
    expect(res.status).toBeGreaterThanOrEqual(500);
    await res.text();
    const balance = await settled(b, account);
    expect(balance.balance).toBe(FUNDS);
    expect(balance.billed).toBe(0);
    const entries = await entriesOf(b, account, requestIdOf(res));
    expect(entries.map((e) => e.type)).toEqual(["reserve", "void"]);
    expect(await usageOf(b, account, requestIdOf(res))).toMatchObject({ cost: 0, outputTokens: 0 });

    const json = await chat(b, account, chatBody("b-err500", `fail json ${n}`));
    expect(json.status).toBeGreaterThanOrEqual(500);
    await json.text();
    expect((await settled(b, account)).balance).toBe(FUNDS);
    expect((await terminalOf(b, account, requestIdOf(json)))?.type).toBe("void");
    await checkInvariant(b.ledger, account.keyId, account.tenantId, { atRest: true });
  });

  it.each([
    ["stream", true],
    ["JSON", false],
  ])(
    "no usage from the upstream (%s): estimated from the delivered text, flagged usage_estimated",
    async (_, stream) => {
      const n = nonce("omit");
      const account = await newAccount(b, FUNDS);
      const body = chatBody("b-omit", `omit ${n}`, { stream });
      const res = await chat(b, account, body);
      expect(res.status).toBe(200);
      const text = await deliveredText(res, stream);
      const [call] = await fakeCalls(n);
      expect(call?.answer?.reportedUsage).toBeUndefined();
      await settled(b, account);
      const event = await usageOf(b, account, requestIdOf(res));
      expect(event?.flags).toContain("usage_estimated");
      expect(event?.cost).toBe(estimatedCost(body, text));
    },
  );

  describe.each(["huge", "inconsistent", "negative", "fractional", "nan"])("untrusted usage: %s", (kind) => {
    it.each([
      ["stream", true],
      ["JSON", false],
    ])("%s: the answer is delivered, billed at the full hold, flagged usage_untrusted", async (_, stream) => {
      const n = nonce(`bad-${kind}`);
      const account = await newAccount(b, FUNDS);
      const body = chatBody(`b-bad-${kind}`, `bad ${n}`, { stream, max_tokens: 100 });
      const { hold } = holdFor(body, 100);
      const res = await chat(b, account, body);
      expect(res.status).toBe(200);
      if (stream) {
        const data = await sseData(res);
        expect(data.at(-1)).toBe("[DONE]");
        expect(contentOf(data).length).toBeGreaterThan(0);
      } else {
        const json = (await res.json()) as { choices: { message: { content: string } }[] };
        expect(json.choices[0]?.message.content.length).toBeGreaterThan(0);
      }
      const balance = await settled(b, account);
      expect(balance.balance).toBe(FUNDS - hold);
      const entries = await entriesOf(b, account, requestIdOf(res));
      expect(entries.map((e) => e.type)).toEqual(["reserve", "settle"]);
      expect(entries[1]?.charged).toBe(hold);
      expect((await usageOf(b, account, requestIdOf(res)))?.flags).toContain("usage_untrusted");
      await checkInvariant(b.ledger, account.keyId, account.tenantId, { atRest: true });
    });
  });

  it("an upstream that ignores max_tokens is cut off with a length finish, billed no more than the hold", async () => {
    const n = nonce("overrun");
    const account = await newAccount(b, FUNDS);
    const body = chatBody("b-overrun", `overrun ${n}`, { stream: true, max_tokens: 16 });
    const { hold } = holdFor(body, 16);
    const res = await chat(b, account, body);
    const data = await sseData(res);
    expect(data.at(-1)).toBe("[DONE]");
    const last = JSON.parse(data.at(-2) ?? "{}") as { choices: { finish_reason: string | null }[] };
    expect(last.choices[0]?.finish_reason).toBe("length");
    // Far fewer words than the 400 the upstream wanted to send reached the client.
    expect(contentOf(data).split(" ").length).toBeLessThan(100);
    await settled(b, account);
    const entries = await entriesOf(b, account, requestIdOf(res));
    expect(entries.map((e) => e.type)).toEqual(["reserve", "settle"]);
    expect(entries[1]?.charged).toBeLessThanOrEqual(hold);
    expect((await usageOf(b, account, requestIdOf(res)))?.flags).toContain("cut_off");
    await checkInvariant(b.ledger, account.keyId, account.tenantId, { atRest: true });
  });
});
