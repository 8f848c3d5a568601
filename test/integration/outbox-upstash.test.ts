/**
 * Durable settlement against the Upstash ledger with its store really down (the Upstash-REST front over
 * redis-server, test/global-setup.ts): the op is queued, the outbox backs off while the store stays down, and once
 * it is back the alarm settles each hold exactly once.
 *
 * The outbox builds its Upstash ledger from its env with the default key prefix, so these tests use that prefix too
 * (with random key and tenant ids, and long hold TTLs so no sweep elsewhere touches them). Store-down windows are
 * kept short because other files share the store: `mode=503` fails requests at once, where the default `drop`
 * would leave the outbox's client retrying (~4 s) while the store is down for everyone.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createOutboxClient, type OutboxItem, outboxStub, type SettlementOp } from "../../src/ledger/outbox";
import { settleDurably } from "../../src/ledger/settle-durably";
import type { Ledger } from "../../src/ledger/types";
import { createUpstashLedger } from "../../src/ledger/upstash";
import {
  type Account,
  admitOk,
  entriesFor,
  freshAccount,
  fund,
  isTerminal,
  settleReq,
  voidReq,
} from "./ledger/contract-helpers";
import { allEntries, checkInvariant } from "./ledger/invariant";

declare global {
  namespace Cloudflare {
    interface Env {
      UPSTASH_REDIS_REST_URL: string;
      UPSTASH_REDIS_REST_TOKEN: string;
    }
  }
}

const FUNDS = 1_000_000;
const url = env.UPSTASH_REDIS_REST_URL;

async function control(action: "down" | "up", mode?: "503"): Promise<void> {
  const res = await fetch(`${url}/__control/${action}${mode ? `?mode=${mode}` : ""}`, { method: "POST" });
  if (!res.ok) throw new Error(`upstash front /__control/${action} answered ${res.status}`);
}

/** Runs `fn` with the store down, and always brings it back. */
async function whileDown<T>(fn: () => Promise<T>, mode?: "503"): Promise<T> {
  await control("down", mode);
  try {
    return await fn();
  } finally {
    await control("up");
  }
}

function setup() {
  const { ledger } = createUpstashLedger({ url, token: env.UPSTASH_REDIS_REST_TOKEN, prefix: "gw:", retry: false });
  const a = freshAccount();
  const outbox = createOutboxClient(env.SETTLEMENT_OUTBOX, { backend: "upstash" });
  const stub = outboxStub(env.SETTLEMENT_OUTBOX, a.tenantId);
  const alarmAt = () => runInDurableObject(stub, (_, state) => state.storage.getAlarm());
  /** Makes every queued op due, as if the backoff had passed (rather than waiting for it). */
  const makeDue = () =>
    runInDurableObject(stub, (_, state) => state.storage.sql.exec("UPDATE pending SET next_at = 0").toArray());
  return { ledger, a, outbox, stub, alarmAt, makeDue };
}

const kept: Promise<unknown>[] = [];
const waitUntil = (p: Promise<unknown>) => {
  kept.push(p);
};

async function terminals(ledger: Ledger, a: Account, requestId: string) {
  return entriesFor(await allEntries(ledger, a.keyId, a.tenantId), requestId).filter(isTerminal);
}

afterEach(async () => {
  await Promise.allSettled(kept.splice(0));
  vi.restoreAllMocks();
});

describe("settleDurably with the Upstash store down", () => {
  it("queues the settle; once the store is back the outbox alarm settles it exactly once", async () => {
    const { ledger, a, outbox, stub, alarmAt, makeDue } = setup();
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    await fund(ledger, a, FUNDS);
    const held = await admitOk(ledger, a);
    const op: SettlementOp = { kind: "settle", req: settleReq(a, held.req.requestId, 1234) };

    const outcome = await whileDown(() => settleDurably({ ledger, outbox, waitUntil }, op));
    expect(outcome).toEqual({ kind: "queued" });
    const [queued, ...others] = await stub.list();
    expect(others).toEqual([]);
    expect(queued).toMatchObject({ requestId: held.req.requestId, kind: "settle", backend: "upstash", attempts: 0 });
    expect(await alarmAt()).toBe(queued?.nextAt);
    // Nothing was billed while the store was down: the hold is still open.
    expect(await ledger.balance(a.keyId, a.tenantId)).toMatchObject({ held: held.res.reserved, openHolds: 1 });

    await makeDue();
    await runDurableObjectAlarm(stub);
    expect(await stub.pending()).toMatchObject({ count: 0, nextAt: null });
    expect(await alarmAt()).toBeNull();
    const [terminal, ...more] = await terminals(ledger, a, held.req.requestId);
    expect(more).toEqual([]);
    expect(terminal).toMatchObject({ type: "settle", charged: 1234 });
    expect(await ledger.balance(a.keyId, a.tenantId)).toMatchObject({
      balance: FUNDS - 1234,
      held: 0,
      openHolds: 0,
      billed: 1234,
    });
    await checkInvariant(ledger, a.keyId, a.tenantId, { atRest: true });
  });
});

describe("SettlementOutbox while the Upstash store stays down", () => {
  it("backs off exponentially, asks the store once per run, and settles everything once it is back", async () => {
    const { ledger, a, outbox, stub, alarmAt, makeDue } = setup();
    await fund(ledger, a, FUNDS);
    const first = await admitOk(ledger, a);
    const second = await admitOk(ledger, a);
    await outbox.enqueue({ kind: "settle", req: settleReq(a, first.req.requestId, 700) });
    await outbox.enqueue({ kind: "void", req: voidReq(a, second.req.requestId) });
    // A duplicate of the first, from a second attempt of the same request's settlement.
    await outbox.enqueue({ kind: "settle", req: settleReq(a, first.req.requestId, 700) });

    const runs: { before: number; after: number; items: OutboxItem[]; alarm: number | null }[] = [];
    await whileDown(async () => {
      for (let run = 0; run < 3; run++) {
        await makeDue();
        const before = Date.now();
        expect(await runDurableObjectAlarm(stub)).toBe(true);
        const after = Date.now();
        runs.push({ before, after, items: await stub.list(), alarm: await alarmAt() });
      }
    }, "503");

    runs.forEach(({ before, after, items, alarm }, i) => {
      const attempts = i + 1;
      const ceiling = 1000 * 2 ** i;
      const [tried, waiting] = [
        items.find((it) => it.requestId === first.req.requestId),
        items.find((it) => it.requestId === second.req.requestId),
      ];
      expect(items).toHaveLength(2);
      // The oldest op was tried and backed off; the other waited behind the failing store without an attempt.
      expect(tried).toMatchObject({ attempts, lastError: expect.stringContaining("StoreUnavailableError") });
      expect(waiting).toMatchObject({ attempts: 0, nextAt: tried?.nextAt, lastError: tried?.lastError });
      expect(tried?.nextAt).toBeGreaterThanOrEqual(before + ceiling / 2);
      expect(tried?.nextAt).toBeLessThanOrEqual(after + ceiling);
      expect(alarm).toBe(tried?.nextAt);
    });
    // Nothing was billed or released while the store was down.
    expect(await ledger.balance(a.keyId, a.tenantId)).toMatchObject({ openHolds: 2, billed: 0 });

    await makeDue();
    await runDurableObjectAlarm(stub);
    expect(await stub.pending()).toMatchObject({ count: 0 });
    expect(await alarmAt()).toBeNull();
    expect(await terminals(ledger, a, first.req.requestId)).toEqual([
      expect.objectContaining({ type: "settle", charged: 700 }),
    ]);
    expect(await terminals(ledger, a, second.req.requestId)).toEqual([expect.objectContaining({ type: "void" })]);
    expect(await ledger.balance(a.keyId, a.tenantId)).toMatchObject({ balance: FUNDS - 700, held: 0, billed: 700 });
    await checkInvariant(ledger, a.keyId, a.tenantId, { atRest: true });
  });
});
