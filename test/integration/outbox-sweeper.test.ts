/**
 * The last line of defence behind the outbox: a hold nobody settles (isolate gone, ledger and outbox both
 * unreachable) is billed at the full hold, flagged `expired`, by the Worker's cron-triggered scheduled() handler.
 */
import {
  createExecutionContext,
  createScheduledController,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { WorkerEnv } from "../../src/env";
import { createDurableObjectLedger } from "../../src/ledger/durable-object";
import worker from "../worker";
import { admitOk, freshAccount, fund, isTerminal, settleReq } from "./ledger/contract-helpers";
import { allEntries, checkInvariant } from "./ledger/invariant";

// A tenant of the test policy: the sweeper sweeps the policy's tenants.
const TENANT = "t-main";
const HOLD_TTL_MS = 2_000;

/** Waits until the clock has passed `at`, without asserting anything about time itself. */
async function waitPast(at: number): Promise<void> {
  while (Date.now() <= at) await scheduler.wait(Math.max(1, at - Date.now() + 1));
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("scheduled() sweeper", () => {
  it("bills an expired hold at the full hold, flagged expired, via the Durable Object ledger", async () => {
    const { ledger } = createDurableObjectLedger({ tenants: env.TENANT_LEDGER, keys: env.KEY_DIRECTORY });
    const a = freshAccount(TENANT);
    await fund(ledger, a, 1_000_000);
    const held = await admitOk(ledger, a, { holdTtlMs: HOLD_TTL_MS });
    const expiresBy = Date.now() + HOLD_TTL_MS;
    // The tenant object would expire the hold from its own alarm; remove the alarm so only the sweeper can.
    const tenant = env.TENANT_LEDGER.get(env.TENANT_LEDGER.idFromName(TENANT));
    await runInDurableObject(tenant, (_, state) => state.storage.deleteAlarm());
    expect(await ledger.balance(a.keyId, a.tenantId)).toMatchObject({ openHolds: 1, held: held.res.reserved });
    await waitPast(expiresBy);

    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "* * * * *" }), env as unknown as WorkerEnv, ctx);
    await waitOnExecutionContext(ctx);
    expect(warn.mock.calls.map((c) => String(c[0])).join("\n")).toMatch(/sweeper billed [1-9]\d* expired hold/);

    expect(await ledger.balance(a.keyId, a.tenantId)).toMatchObject({
      balance: 1_000_000 - held.res.reserved,
      held: 0,
      openHolds: 0,
      billed: held.res.reserved,
    });
    const terminal = (await allEntries(ledger, a.keyId, a.tenantId)).filter(isTerminal);
    expect(terminal).toEqual([
      expect.objectContaining({
        type: "expire",
        requestId: held.req.requestId,
        charged: held.res.reserved,
        flags: ["expired"],
      }),
    ]);
    // A settle arriving after the sweep (e.g. from the outbox) changes nothing.
    expect(await ledger.settle(settleReq(a, held.req.requestId, 10))).toEqual({
      kind: "already_resolved",
      terminal: "expired",
    });
    await checkInvariant(ledger, a.keyId, a.tenantId, { atRest: true });
  });
});
