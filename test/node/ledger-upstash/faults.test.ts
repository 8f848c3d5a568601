import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type AdmitRequest, StoreUnavailableError } from "../../../src/ledger/types";
import { ledgerServer } from "./helpers";

/** How store failures surface: StoreUnavailableError (with no store text in its message) vs. plain Errors for bugs. */
const server = ledgerServer();
beforeAll(() => server.start());
afterAll(() => server.stop());
afterEach(() => server.local().front.setDown(false));

function admitReq(keyId: string): AdmitRequest {
  return {
    keyId,
    tenantId: "t-faults",
    requestId: randomUUID(),
    promptCost: 10,
    outputPricePerMtok: 1_000_000,
    maxOutputTokens: 10,
    minOutputTokens: 1,
    promptTokens: 1,
    limits: {},
    holdTtlMs: 600_000,
  };
}

async function failure(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

describe("store failures", () => {
  it("a front answering 503 is StoreUnavailableError at once, and its text stays out of the message", async () => {
    const { ledger } = server.make({ retry: false });
    server.local().front.setDown(true, "503");
    const error = await failure(() => ledger.admit(admitReq("k1")));
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toBe("ledger store unavailable (admit)");
    expect(String((error as Error).cause)).toContain("service unavailable");
  });

  it("dropped connections are retried by the client, then StoreUnavailableError", async () => {
    const { ledger } = server.make({ retry: { retries: 2, backoff: () => 10 } });
    server.local().front.setDown(true, "drop");
    for (const call of [
      () => ledger.balance("k2", "t"),
      () => ledger.credit("k2", "t", 5, "r", "topup"),
      () => ledger.entries("k2", "t"),
      () => ledger.usage("t"),
      () => ledger.sweep(),
      () => ledger.recordToolCall("t", "task", {}),
    ]) {
      expect(await failure(call)).toBeInstanceOf(StoreUnavailableError);
    }
  });

  it("a stopped redis behind the front is StoreUnavailableError; after restart the data is back", async () => {
    const { ledger, keys } = server.make({ retry: false });
    await ledger.credit("k3", "t", 500, "r1", "topup");
    await server.local().redis.stop();
    try {
      expect(await failure(() => ledger.admit(admitReq("k3")))).toBeInstanceOf(StoreUnavailableError);
      expect(await failure(() => keys.get("k3"))).toBeInstanceOf(StoreUnavailableError);
    } finally {
      await server.local().redis.restart();
    }
    expect(await ledger.balance("k3", "t")).toMatchObject({ balance: 500 });
  });

  it("a script hitting data of the wrong type is a bug (plain Error), not an outage", async () => {
    const { ledger, k } = server.make();
    await server.raw().set(k.account("k4"), "not a hash");
    const error = await failure(() => ledger.admit(admitReq("k4")));
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(StoreUnavailableError);
  });

  it("invalid arguments are RangeErrors before any store call", async () => {
    const { ledger } = server.make();
    server.local().front.setDown(true, "503");
    await expect(ledger.admit({ ...admitReq("k5"), promptCost: 1.5 })).rejects.toBeInstanceOf(RangeError);
    await expect(
      ledger.admit({ ...admitReq("k5"), outputPricePerMtok: Number.MAX_SAFE_INTEGER }),
    ).rejects.toBeInstanceOf(RangeError);
    await expect(ledger.credit("k5", "t", 0.5, "r", "topup")).rejects.toBeInstanceOf(RangeError);
    await expect(ledger.credit("k5", "t", -5, "r", "topup")).rejects.toBeInstanceOf(RangeError);
  });

  it("scripts come back after SCRIPT FLUSH (EVALSHA falls back to EVAL)", async () => {
    const { ledger } = server.make();
    await ledger.credit("k6", "t", 100, "r1", "topup");
    await server.raw().scriptFlush();
    expect(await ledger.credit("k6", "t", 100, "r2", "topup")).toMatchObject({ balance: 200 });
    expect((await ledger.admit(admitReq("k6"))).kind).toBe("admitted");
  });
});
