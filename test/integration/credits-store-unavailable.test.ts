import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type Account,
  type Backend,
  chat,
  chatBody,
  costOf,
  fakeCalls,
  frontControl,
  newAccount,
  requestIdOf,
  settled,
  sleep,
  terminalOf,
  upstashBackend,
} from "../helpers/billing";
import { nonce } from "../helpers/gateway";
import { checkInvariant } from "./ledger/invariant";

const FUNDS = 10_000_000;

/** A request that succeeds, so the key record is in the Worker's key cache before the store goes away. */
async function warm(b: Backend, a: Account): Promise<void> {
  const res = await chat(b, a, chatBody("b-chat", `warm ${nonce()}`, { max_tokens: 20 }));
  expect(res.status).toBe(200);
  await res.text();
  await settled(b, a);
}

describe("the credit store unreachable (upstash, its own redis-server)", () => {
  let b: Backend;
  beforeAll(async () => {
    // A redis-server of this file's own: the outages below must not reach any other test.
    b = await upstashBackend({ instance: "credits-store-unavailable" });
  });
  afterEach(async () => {
    await frontControl(b, "up");
  });

  it.each(["down", "down?mode=503"] as const)(
    "store %s at admission: 503 store_unavailable, no upstream call; works again once it is back",
    async (mode) => {
      const n = nonce("down");
      const account = await newAccount(b, FUNDS);
      await warm(b, account);
      const before = await b.ledger.balance(account.keyId, account.tenantId);

      await frontControl(b, mode);
      const res = await chat(b, account, chatBody("b-chat", `refused ${n}`));
      expect(res.status).toBe(503);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("store_unavailable");
      expect(body.error.message).toContain("credit store");
      expect(res.headers.get("retry-after")).not.toBeNull();
      expect(await fakeCalls(n)).toEqual([]);

      await frontControl(b, "up");
      const after = await b.ledger.balance(account.keyId, account.tenantId);
      expect(after).toEqual(before);
      const ok = await chat(b, account, chatBody("b-chat", `accepted ${n}`));
      expect(ok.status).toBe(200);
      await ok.text();
      expect(await fakeCalls(n)).toHaveLength(1);
      await settled(b, account);
      await checkInvariant(b.ledger, account.keyId, account.tenantId, { atRest: true });
    },
  );

  it("a key not yet cached while the store is down: 503 (fail closed), no upstream call", async () => {
    const n = nonce("cold");
    const account = await newAccount(b, FUNDS);
    await frontControl(b, "down?mode=503");
    const res = await chat(b, account, chatBody("b-chat", `cold ${n}`));
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("store_unavailable");
    expect(await fakeCalls(n)).toEqual([]);
  });

  it.each([
    ["the first reply (the client's retry then finds its own hold)", 1],
    ["every reply, retries included", 6],
  ])(
    "admission whose reply is lost, %s: a refused request leaves no hold behind",
    async (_, count) => {
      const n = nonce("lost-reply");
      const account = await newAccount(b, FUNDS);
      await warm(b, account);
      const before = await b.ledger.balance(account.keyId, account.tenantId);

      await frontControl(b, `lose-replies?count=${count}`);
      const res = await chat(b, account, chatBody("b-chat", `lost ${n}`, { max_tokens: 20 }));
      await frontControl(b, "lose-replies?count=0");
      const text = await res.text();
      const code = res.status === 200 ? undefined : (JSON.parse(text) as { error: { code: string } }).error.code;
      if (res.status === 200) {
        await settled(b, account, 3_000);
        expect(await fakeCalls(n)).toHaveLength(1);
      } else {
        // Refused: nothing was served, so nothing may stay reserved (else the sweeper bills the full hold later).
        expect(await fakeCalls(n)).toEqual([]);
        const after = await settled(b, account, 3_000).catch((err: Error) => {
          throw new Error(`refused with ${res.status} ${code}, yet: ${err.message}`);
        });
        expect(after.balance).toBe(before.balance);
      }
      await checkInvariant(b.ledger, account.keyId, account.tenantId, { atRest: true });
    },
    20_000,
  );

  it("a short outage while a request settles: the settlement is retried and lands (not left to expire)", async () => {
    const n = nonce("settle-outage");
    const account = await newAccount(b, FUNDS);
    await warm(b, account);
    // b-delay answers after 600 ms; the store goes away once the request is admitted and upstream.
    const pending = chat(b, account, chatBody("b-delay", `outage ${n}`));
    for (let i = 0; i < 100 && (await fakeCalls(n)).length === 0; i++) await sleep(10);
    await frontControl(b, "down");
    const res = await pending;
    expect(res.status).toBe(200);
    await res.text();
    await sleep(1_000);
    await frontControl(b, "up");

    await settled(b, account);
    const terminal = await terminalOf(b, account, requestIdOf(res));
    const [call] = await fakeCalls(n);
    expect(terminal?.type).toBe("settle");
    expect(terminal?.charged).toBe(costOf(call?.answer?.promptTokens ?? -1, call?.answer?.completionTokens ?? -1));
    await checkInvariant(b.ledger, account.keyId, account.tenantId, { atRest: true });
  });
});
