import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AdmitRequest } from "../../../src/ledger/types";
import { checkInvariant } from "../../integration/ledger/invariant";
import { ledgerServer } from "./helpers";

/** The sweeper beyond one script run's batch, and its bookkeeping in Redis. */
const server = ledgerServer();
beforeAll(() => server.start());
afterAll(() => server.stop());

function req(keyId: string, holdTtlMs: number): AdmitRequest {
  return {
    keyId,
    tenantId: "t-sweep",
    requestId: randomUUID(),
    promptCost: 7,
    outputPricePerMtok: 0,
    maxOutputTokens: 1,
    minOutputTokens: 1,
    promptTokens: 1,
    limits: {},
    holdTtlMs,
  };
}

describe("sweep", () => {
  it("expires more holds than one batch, across keys, and leaves live holds alone", { timeout: 60_000 }, async () => {
    const made = server.make();
    const keys = ["s1", "s2", "s3"];
    for (const key of keys) await made.ledger.credit(key, "t-sweep", 10_000, "fund", "topup");
    const admits = Array.from({ length: 450 }, (_, i) => made.ledger.admit(req(keys[i % 3] ?? "s1", 1_000)));
    const live = await made.ledger.admit(req("s1", 3_600_000));
    expect((await Promise.all(admits)).every((r) => r.kind === "admitted")).toBe(true);
    expect(live.kind).toBe("admitted");

    expect(await made.ledger.sweep(Date.now() + 60_000)).toBe(450);
    expect(await made.ledger.sweep(Date.now() + 60_000)).toBe(0);
    expect(await made.ledger.balance("s1", "t-sweep")).toMatchObject({ held: 7, openHolds: 1, billed: 150 * 7 });
    for (const key of keys) await checkInvariant(made.ledger, key, "t-sweep");
    expect(await server.raw().zcard(made.k.holdExpiry())).toBe(1);
    // Expired usage events are dated at admission (like the gateway's own), flagged, and billed at the hold.
    const [event] = await made.ledger.usage("t-sweep", { keyId: "s2", limit: 1 });
    expect(event).toMatchObject({ keyId: "s2", tenantId: "t-sweep", cost: 7, flags: ["expired"] });
    expect(event?.at).toBeLessThanOrEqual(Date.now());
  });

  it("sweep() without a time uses the store clock", async () => {
    const made = server.make();
    await made.ledger.credit("n1", "t-sweep", 100, "fund", "topup");
    expect((await made.ledger.admit(req("n1", 0))).kind).toBe("admitted");
    expect((await made.ledger.admit(req("n1", 3_600_000))).kind).toBe("admitted");
    expect(await made.ledger.sweep()).toBe(1);
    expect(await made.ledger.balance("n1", "t-sweep")).toMatchObject({ openHolds: 1, billed: 7 });
  });

  it("an expired hold of a task counts its billed cost against the task", async () => {
    const made = server.make();
    await made.ledger.credit("j1", "t-sweep", 100, "fund", "topup");
    const task = { id: "task-1", fingerprint: "fp", limits: { max_cost: 10 }, ttlMs: 600_000 };
    expect((await made.ledger.admit({ ...req("j1", 1_000), task })).kind).toBe("admitted");
    expect(await made.ledger.sweep(Date.now() + 60_000)).toBe(1);
    expect(await server.raw().hget(made.k.task("t-sweep", "task-1"), "cost")).toBe("7");
    const [event] = await made.ledger.usage("t-sweep", { keyId: "j1" });
    expect(event?.taskId).toBe("task-1");
    // 7 billed + 7 for the next prompt > 10.
    expect(await made.ledger.admit({ ...req("j1", 1_000), task })).toEqual({
      kind: "task_budget_exceeded",
      limit: "cost",
    });
  });

  it("an expiry entry whose hold is gone is dropped without billing", async () => {
    const made = server.make();
    await made.ledger.credit("g1", "t-sweep", 100, "fund", "topup");
    await server.raw().zadd(made.k.holdExpiry(), { score: 1, member: "g1|no-such-request" });
    expect(await made.ledger.sweep(Date.now())).toBe(0);
    expect(await server.raw().zcard(made.k.holdExpiry())).toBe(0);
    expect(await made.ledger.balance("g1", "t-sweep")).toMatchObject({ balance: 100, billed: 0 });
  });
});
