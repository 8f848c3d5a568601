import { beforeAll, describe, expect, it } from "vitest";
import {
  type Backend,
  type BackendName,
  chat,
  chatBody,
  errorCode,
  fakeCalls,
  holdFor,
  makeBackend,
  newAccount,
  PRICE,
  settled,
} from "../helpers/billing";
import { nonce } from "../helpers/gateway";
import { checkInvariant } from "./ledger/invariant";

const CONCURRENCY = 50;
const MAX_TOKENS = 40;

describe.each<BackendName>(["durable-object", "upstash"])("credits under concurrency (%s)", (name) => {
  let b: Backend;
  beforeAll(async () => {
    b = await makeBackend(name);
  });

  it("50 requests released together against a balance that affords exactly one: one upstream call, 49 × 402", async () => {
    const n = nonce("conc");
    // b-exact answers exactly max_tokens words, so the settled answer uses the whole output grant and what it
    // releases (the prompt margin) cannot pay for another request's prompt: even a late admission must be refused.
    const body = chatBody("b-exact", `race ${n}`, { max_tokens: MAX_TOKENS });
    const { hold, promptCost } = holdFor(body, MAX_TOKENS);
    const account = await newAccount(b, hold);

    const gate = Promise.withResolvers<void>();
    const calls = Array.from({ length: CONCURRENCY }, async () => {
      await gate.promise;
      const res = await chat(b, account, body);
      return { status: res.status, code: res.status === 200 ? undefined : await errorCode(res), res };
    });
    gate.resolve();
    const results = await Promise.all(calls);

    const ok = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status === 402);
    expect(results.map((r) => r.status).filter((s) => s !== 200 && s !== 402)).toEqual([]);
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(CONCURRENCY - 1);
    expect(new Set(refused.map((r) => r.code))).toEqual(new Set(["insufficient_credits"]));
    expect(ok[0]?.res.headers.get("x-gateway-credits-reserved")).toBe(String(hold));
    await ok[0]?.res.text();

    expect(await fakeCalls(n)).toHaveLength(1);
    const balance = await settled(b, account);
    expect(balance.balance).toBeGreaterThanOrEqual(0);
    // What was released is less than one prompt's reservation, so nothing more could have been admitted.
    expect(balance.balance).toBeLessThan(promptCost + 16 * PRICE.output);
    await checkInvariant(b.ledger, account.keyId, account.tenantId, { atRest: true });
    const entries = await b.ledger.entries(account.keyId, account.tenantId, { limit: 1000 });
    expect(entries.filter((e) => e.type === "reserve")).toHaveLength(1);
    expect(entries.every((e) => e.balanceAfter >= 0)).toBe(true);
  });

  it("a balance for exactly three: three upstream calls, the rest refused, and the balance never goes negative", async () => {
    const n = nonce("conc3");
    // Many short words: the fake's prompt count comes close to the reservation, so the margins the three settlements
    // release add up to less than one more request's minimum (checked at the end), and the count stays exactly three.
    const body = chatBody("b-exact", `${n} ${"ab ".repeat(30)}`, { max_tokens: MAX_TOKENS });
    const { hold, promptCost } = holdFor(body, MAX_TOKENS);
    const account = await newAccount(b, 3 * hold);

    const gate = Promise.withResolvers<void>();
    const calls = Array.from({ length: CONCURRENCY }, async () => {
      await gate.promise;
      const res = await chat(b, account, body);
      await res.text();
      return res.status;
    });
    gate.resolve();
    const statuses = await Promise.all(calls);

    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
    expect(statuses.filter((s) => s === 402)).toHaveLength(CONCURRENCY - 3);
    expect(await fakeCalls(n)).toHaveLength(3);
    const balance = await settled(b, account);
    expect(balance.balance).toBeLessThan(promptCost + 16 * PRICE.output);
    await checkInvariant(b.ledger, account.keyId, account.tenantId, { atRest: true });
  });
});
