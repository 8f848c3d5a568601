/**
 * Group commit and store timeouts, on each backend. The contract suite (contract-batch.ts) proves each item of a
 * batch is answered as if alone; this file proves the batching happens (fewer calls than items) and that a store that
 * accepts calls and never answers costs a timeout, not a hung request — and does not block the calls after it.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDurableObjectLedger } from "../../../src/ledger/durable-object";
import { StoreUnavailableError } from "../../../src/ledger/types";
import { createUpstashLedger } from "../../../src/ledger/upstash";
import {
  admitOk,
  admitReq,
  DEFAULT_RESERVE,
  freshAccount,
  fund,
  settleReq,
  together,
  voidReq,
} from "./contract-helpers";
import { faultSwitch, faultyNamespace } from "./do-fault-namespace";
import { checkInvariant } from "./invariant";

const TIMEOUT_MS = 300;

function doLedger(timeoutMs?: number) {
  const sw = faultSwitch();
  const { ledger } = createDurableObjectLedger({
    tenants: faultyNamespace(env.TENANT_LEDGER, sw),
    keys: faultyNamespace(env.KEY_DIRECTORY, sw),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
  return { sw, ledger };
}

describe("group commit (durable object)", () => {
  it("50 admissions started together reach the tenant object in far fewer calls, each answered on its own", async () => {
    const { sw, ledger } = doLedger();
    const a = freshAccount();
    await fund(ledger, a, 10 * DEFAULT_RESERVE);
    sw.calls.length = 0;
    const results = await together(50, () => ledger.admit(admitReq(a)));
    expect(results.filter((r) => r.kind === "admitted")).toHaveLength(10);
    expect(results.filter((r) => r.kind === "insufficient_credits")).toHaveLength(40);
    const calls = sw.calls.filter((c) => c === "admit" || c === "commit");
    expect(calls).toContain("commit");
    expect(calls.length).toBeLessThan(5);
    await checkInvariant(ledger, a.keyId, a.tenantId);
  });

  it("a lone call goes out at once as the object's own method (nothing waits at c=1)", async () => {
    const { sw, ledger } = doLedger();
    const a = freshAccount();
    await fund(ledger, a, DEFAULT_RESERVE);
    sw.calls.length = 0;
    const { req } = await admitOk(ledger, a);
    await ledger.settle(settleReq(a, req.requestId, 10));
    expect(sw.calls).toEqual(["admit", "settle"]);
  });

  it("a hung object: admission and settlement fail as unavailable after the timeout; later calls are not blocked", async () => {
    // Set up with the default timeout (a cold object under load may take a while), then hang a short-timeout ledger.
    const { ledger: setup } = doLedger();
    const { sw, ledger } = doLedger(TIMEOUT_MS);
    const a = freshAccount();
    await fund(setup, a, 10 * DEFAULT_RESERVE);
    const open = await admitOk(setup, a);
    sw.hang = true;
    const started = Date.now();
    const [admit, settle] = await Promise.all([
      ledger.admit(admitReq(a)).catch((err: unknown) => err),
      ledger.settle(settleReq(a, open.req.requestId, 10)).catch((err: unknown) => err),
    ]);
    expect(admit).toBeInstanceOf(StoreUnavailableError);
    expect(settle).toBeInstanceOf(StoreUnavailableError);
    expect(String(admit)).toContain("no answer");
    // Not a timing assertion on the store: only that nothing waited for ever (the test itself would time out).
    expect(Date.now() - started).toBeLessThan(10_000);
    sw.hang = false;
    const again = await ledger.settle(settleReq(a, open.req.requestId, 10));
    expect(["settled", "already_resolved"]).toContain(again.kind);
    expect((await ledger.admit(admitReq(a))).kind).toBe("admitted");
  });
});

describe("store timeouts (upstash)", () => {
  it("a store that answers too late: admission and settlement fail as unavailable; on time again, all is well", async () => {
    const spawned = await fetch(`${env.UPSTASH_REDIS_REST_URL}/__control/spawn?name=ledger-timeouts`, {
      method: "POST",
    });
    expect(spawned.ok).toBe(true);
    const { url, token } = (await spawned.json()) as { url: string; token: string };
    const control = async (action: string) => {
      const res = await fetch(`${url}/__control/${action}`, { method: "POST" });
      expect(res.ok).toBe(true);
    };
    const prefix = `t${crypto.randomUUID().slice(0, 8)}:`;
    const { ledger: setup } = createUpstashLedger({ url, token, prefix, retry: false });
    const { ledger } = createUpstashLedger({ url, token, prefix, retry: false, timeoutMs: TIMEOUT_MS });
    const a = freshAccount();
    await fund(setup, a, 10 * DEFAULT_RESERVE);
    const open = await admitOk(setup, a);
    const late = admitReq(a);
    await control(`delay?ms=${TIMEOUT_MS * 5}`);
    try {
      const admit = await ledger.admit(late).catch((err: unknown) => err);
      const settle = await ledger.settle(settleReq(a, open.req.requestId, 10)).catch((err: unknown) => err);
      expect(admit).toBeInstanceOf(StoreUnavailableError);
      expect(settle).toBeInstanceOf(StoreUnavailableError);
    } finally {
      await control("delay?ms=0");
    }
    // The late settle may have landed: either way the hold resolves once.
    const again = await setup.settle(settleReq(a, open.req.requestId, 10));
    expect(["settled", "already_resolved"]).toContain(again.kind);
    // The timed-out admission may have reserved (its reply came too late): once it has surely run, release it as the
    // gateway does.
    await new Promise((r) => setTimeout(r, TIMEOUT_MS * 6));
    const released = await setup.void(voidReq(a, late.requestId));
    expect(["voided", "unknown_hold"]).toContain(released.kind);
    expect(await setup.balance(a.keyId, a.tenantId)).toMatchObject({ openHolds: 0, held: 0 });
    await checkInvariant(setup, a.keyId, a.tenantId, { atRest: true });
  });
});
