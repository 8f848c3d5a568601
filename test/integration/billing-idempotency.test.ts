import { beforeAll, describe, expect, it } from "vitest";
import {
  type Backend,
  type BackendName,
  chat,
  chatBody,
  errorCode,
  fakeCalls,
  makeBackend,
  newAccount,
  requestIdOf,
  settled,
  sleep,
} from "../helpers/billing";
import { nonce } from "../helpers/gateway";
import { checkInvariant } from "./ledger/invariant";

const FUNDS = 10_000_000;

function idem(key: string) {
  return { "idempotency-key": key };
}

/** Polls until the fake upstream has seen `count` requests containing `n` (bounded). */
async function upstreamSaw(n: string, count: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await fakeCalls(n)).length >= count) return;
    await sleep(10);
  }
  throw new Error(`the fake upstream never saw ${count} request(s) for ${n}`);
}

describe.each<BackendName>(["durable-object", "upstash"])("Idempotency-Key over HTTP (%s)", (name) => {
  let b: Backend;
  beforeAll(async () => {
    b = await makeBackend(name);
  });

  it("same key and body: the stored answer is replayed, with no upstream call and no new charge", async () => {
    const n = nonce("idem");
    const account = await newAccount(b, FUNDS);
    const body = chatBody("b-chat", `once ${n}`, { max_tokens: 50 });
    const first = await chat(b, account, body, idem(n));
    expect(first.status).toBe(200);
    const firstText = await first.text();
    const after = await settled(b, account);

    const second = await chat(b, account, body, idem(n));
    expect(second.status).toBe(200);
    expect(second.headers.get("x-gateway-idempotent-replay")).toBe("true");
    expect(second.headers.get("content-type")).toContain("application/json");
    expect(await second.text()).toBe(firstText);
    expect(requestIdOf(second)).not.toBe(requestIdOf(first));

    expect(await fakeCalls(n)).toHaveLength(1);
    const now = await settled(b, account);
    expect(now.balance).toBe(after.balance);
    expect(now.billed).toBe(after.billed);
    const entries = await b.ledger.entries(account.keyId, account.tenantId);
    expect(entries.filter((e) => e.type === "reserve")).toHaveLength(1);
    await checkInvariant(b.ledger, account.keyId, account.tenantId, { atRest: true });
  });

  it("a stream is replayed byte for byte, with no upstream call and no new charge", async () => {
    const n = nonce("idem-stream");
    const account = await newAccount(b, FUNDS);
    const body = chatBody("b-chat", `stream once ${n}`, { stream: true });
    const first = await chat(b, account, body, idem(n));
    const firstText = await first.text();
    expect(firstText).toContain("data: [DONE]");
    const after = await settled(b, account);

    const second = await chat(b, account, body, idem(n));
    expect(second.status).toBe(200);
    expect(second.headers.get("x-gateway-idempotent-replay")).toBe("true");
    expect(second.headers.get("content-type")).toContain("text/event-stream");
    expect(await second.text()).toBe(firstText);
    expect(await fakeCalls(n)).toHaveLength(1);
    expect((await settled(b, account)).billed).toBe(after.billed);
  });

  it("the same key while the first request is in flight: 409 idempotency_in_progress (422 for another body)", async () => {
    const n = nonce("idem-flight");
    const account = await newAccount(b, FUNDS);
    const body = chatBody("b-delay", `slow ${n}`);
    const first = chat(b, account, body, idem(n));
    await upstreamSaw(n, 1);

    const dup = await chat(b, account, body, idem(n));
    expect(dup.status).toBe(409);
    expect(await errorCode(dup)).toBe("idempotency_in_progress");
    const other = await chat(b, account, chatBody("b-delay", `other ${n}`), idem(n));
    expect(other.status).toBe(422);
    expect(await errorCode(other)).toBe("idempotency_key_reused");

    const done = await first;
    expect(done.status).toBe(200);
    const text = await done.text();
    await settled(b, account);
    const replay = await chat(b, account, body, idem(n));
    expect(replay.headers.get("x-gateway-idempotent-replay")).toBe("true");
    expect(await replay.text()).toBe(text);
    expect(await fakeCalls(n)).toHaveLength(1);
    await checkInvariant(b.ledger, account.keyId, account.tenantId, { atRest: true });
  });

  it("the same key with a different body: 422 idempotency_key_reused, no upstream call, no charge", async () => {
    const n = nonce("idem-body");
    const account = await newAccount(b, FUNDS);
    const first = await chat(b, account, chatBody("b-chat", `one ${n}`), idem(n));
    await first.text();
    const after = await settled(b, account);
    const res = await chat(b, account, chatBody("b-chat", `two ${n}`), idem(n));
    expect(res.status).toBe(422);
    expect(await errorCode(res)).toBe("idempotency_key_reused");
    expect(await fakeCalls(n)).toHaveLength(1);
    expect((await settled(b, account)).balance).toBe(after.balance);
  });

  it("keys are scoped per API key: another key's identical request is served and charged on its own", async () => {
    const n = nonce("idem-scope");
    const a1 = await newAccount(b, FUNDS);
    const a2 = await newAccount(b, FUNDS);
    const body = chatBody("b-chat", `scoped ${n}`);
    const r1 = await chat(b, a1, body, idem(n));
    await r1.text();
    const r2 = await chat(b, a2, body, idem(n));
    expect(r2.status).toBe(200);
    expect(r2.headers.get("x-gateway-idempotent-replay")).toBeNull();
    await r2.text();
    expect(await fakeCalls(n)).toHaveLength(2);
    expect((await settled(b, a2)).billed).toBeGreaterThan(0);
    await settled(b, a1);
  });

  it("after a voided (failed) request the same key can be retried, and then replays", async () => {
    const n = nonce("idem-void");
    const account = await newAccount(b, FUNDS);
    const body = chatBody(name === "upstash" ? "b-failonce-up" : "b-failonce-do", `retry ${n}`);
    const failed = await chat(b, account, body, idem(n));
    expect(failed.status).toBeGreaterThanOrEqual(500);
    await failed.text();
    expect((await settled(b, account)).balance).toBe(FUNDS);

    const retry = await chat(b, account, body, idem(n));
    expect(retry.status).toBe(200);
    expect(retry.headers.get("x-gateway-idempotent-replay")).toBeNull();
    const text = await retry.text();
    await settled(b, account);
    const replay = await chat(b, account, body, idem(n));
    expect(replay.headers.get("x-gateway-idempotent-replay")).toBe("true");
    expect(await replay.text()).toBe(text);
    expect(await fakeCalls(n)).toHaveLength(2);
  });

  it("a request refused at admission (402) leaves no record: the same key works once funded", async () => {
    const n = nonce("idem-402");
    const account = await newAccount(b, 0);
    const body = chatBody("b-chat", `poor ${n}`, { max_tokens: 20 });
    const refused = await chat(b, account, body, idem(n));
    expect(refused.status).toBe(402);
    await b.ledger.credit(account.keyId, account.tenantId, FUNDS, `fund-${n}`, "topup");
    const ok = await chat(b, account, body, idem(n));
    expect(ok.status).toBe(200);
    expect(ok.headers.get("x-gateway-idempotent-replay")).toBeNull();
    await ok.text();
    await settled(b, account);
  });

  it("a stream that broke mid-way (billed, not replayable) does not leave its key stuck in progress", async () => {
    const n = nonce("idem-broken");
    const account = await newAccount(b, FUNDS);
    const body = chatBody("b-drop", `broken ${n}`, { stream: true });
    const first = await chat(b, account, body, idem(n));
    expect(first.status).toBe(200);
    expect(await first.text()).toContain('"error"');
    await settled(b, account);

    const retry = await chat(b, account, body, idem(n));
    await retry.text();
    // A finished request is not in progress: the retry is served (run again or replayed), never a 409 for 24 h.
    expect(retry.status).not.toBe(409);
    await settled(b, account);
  });
});
