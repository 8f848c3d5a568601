import { afterEach, describe, expect, it, vi } from "vitest";
import type { HoldOp, OutboxClient, SettlementOp } from "../../../src/ledger/outbox";
import { type SettleDeps, settleDurably } from "../../../src/ledger/settle-durably";
import {
  type Ledger,
  type SettleRequest,
  type SettleResult,
  StoreUnavailableError,
  type VoidRequest,
  type VoidResult,
} from "../../../src/ledger/types";

type Step<R> = R | Error | "hang";

/** A ledger whose settle/void answer from a script, one step per call (the last step repeats). */
function scriptedLedger(settle: Step<SettleResult>[], voids: Step<VoidResult>[] = []) {
  const calls: { kind: "settle" | "void"; requestId: string }[] = [];
  const play = <R>(script: Step<R>[], i: number): Promise<R> => {
    const step = script[Math.min(i, script.length - 1)];
    if (step === undefined) return Promise.reject(new Error("empty script"));
    if (step === "hang") return new Promise<R>(() => undefined);
    if (step instanceof Error) return Promise.reject(step);
    return Promise.resolve(step);
  };
  const unused = () => Promise.reject(new Error("not used by settleDurably"));
  const ledger: Ledger = {
    settle(req: SettleRequest) {
      calls.push({ kind: "settle", requestId: req.requestId });
      return play(settle, calls.filter((c) => c.kind === "settle").length - 1);
    },
    void(req: VoidRequest) {
      calls.push({ kind: "void", requestId: req.requestId });
      return play(voids, calls.filter((c) => c.kind === "void").length - 1);
    },
    admit: unused,
    credit: unused,
    balance: unused,
    entries: unused,
    usage: unused,
    sweep: unused,
    recordToolCall: unused,
    record: unused,
  };
  return { ledger, calls };
}

function recordingOutbox(fail?: Error | "hang") {
  const queued: SettlementOp[] = [];
  const outbox: OutboxClient = {
    enqueue(op) {
      if (fail === "hang") return new Promise<void>(() => undefined);
      if (fail) return Promise.reject(fail);
      queued.push(op);
      return Promise.resolve();
    },
  };
  return { outbox, queued };
}

function deps(ledger: Ledger, outbox: OutboxClient | undefined, over: Partial<SettleDeps> = {}) {
  const sleeps: number[] = [];
  const kept: Promise<unknown>[] = [];
  const d: SettleDeps = {
    ledger,
    outbox,
    waitUntil: (p) => kept.push(p),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...over,
  };
  return { d, sleeps, kept };
}

const usage = (requestId: string) => ({
  requestId,
  at: 1,
  tenantId: "t",
  keyId: "k",
  inputTokens: 1,
  outputTokens: 2,
  cost: 7,
  cache: "none" as const,
  latencyMs: 3,
  status: 200,
  policyVersion: "pv",
  flags: [],
});

const settleOp = (requestId = `req-${crypto.randomUUID()}`): HoldOp => ({
  kind: "settle",
  req: {
    keyId: "k",
    tenantId: "t",
    requestId,
    cost: 7,
    inputTokens: 1,
    outputTokens: 2,
    flags: [],
    usage: usage(requestId),
  },
});

const voidOp = (requestId = `req-${crypto.randomUUID()}`): HoldOp => ({
  kind: "void",
  req: { keyId: "k", tenantId: "t", requestId, usage: usage(requestId) },
});

const SETTLED: SettleResult = { kind: "settled", charged: 7, released: 3, balanceAfter: 90 };
const down = () => new StoreUnavailableError("ledger store unavailable (test)");

afterEach(() => {
  vi.restoreAllMocks();
});

describe("settleDurably", () => {
  it("returns the ledger's answer when the ledger works, without touching the outbox", async () => {
    const { ledger, calls } = scriptedLedger([SETTLED]);
    const { outbox, queued } = recordingOutbox();
    const { d, sleeps } = deps(ledger, outbox);
    expect(await settleDurably(d, settleOp())).toEqual(SETTLED);
    expect(calls).toHaveLength(1);
    expect(sleeps).toEqual([]);
    expect(queued).toEqual([]);
  });

  it("voids through ledger.void", async () => {
    const voided: VoidResult = { kind: "voided", released: 10, balanceAfter: 100 };
    const { ledger, calls } = scriptedLedger([], [voided]);
    const { d } = deps(ledger, recordingOutbox().outbox);
    const op = voidOp();
    expect(await settleDurably(d, op)).toEqual(voided);
    expect(calls).toEqual([{ kind: "void", requestId: op.req.requestId }]);
  });

  it("retries a StoreUnavailableError twice with jittered backoff (~50–100 ms, then ~100–200 ms)", async () => {
    const { ledger, calls } = scriptedLedger([down(), down(), SETTLED]);
    const { outbox, queued } = recordingOutbox();
    const low = deps(ledger, outbox, { random: () => 0 });
    expect(await settleDurably(low.d, settleOp())).toEqual(SETTLED);
    expect(calls).toHaveLength(3);
    expect(low.sleeps).toEqual([50, 100]);
    expect(queued).toEqual([]);

    const high = deps(scriptedLedger([down(), down(), SETTLED]).ledger, outbox, { random: () => 0.999 });
    await settleDurably(high.d, settleOp());
    expect(high.sleeps).toEqual([100, 200]);
  });

  it("counts already_resolved as done (a retry of a settle whose reply was lost)", async () => {
    const resolved: SettleResult = { kind: "already_resolved", terminal: "settled" };
    const { ledger } = scriptedLedger([down(), resolved]);
    const { outbox, queued } = recordingOutbox();
    expect(await settleDurably(deps(ledger, outbox).d, settleOp())).toEqual(resolved);
    expect(queued).toEqual([]);
  });

  it("queues the op in the outbox after three StoreUnavailableErrors", async () => {
    const { ledger, calls } = scriptedLedger([down()]);
    const { outbox, queued } = recordingOutbox();
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const op = settleOp();
    expect(await settleDurably(deps(ledger, outbox).d, op)).toEqual({ kind: "queued" });
    expect(calls).toHaveLength(3);
    expect(queued).toEqual([op]);
    expect(String(warn.mock.calls[0]?.[0])).toContain(op.req.requestId);
  });

  it("gives up on a hanging ledger call after the budget, queues the op and keeps the call alive", async () => {
    const { ledger, calls } = scriptedLedger(["hang"]);
    const { outbox, queued } = recordingOutbox();
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const { d, kept } = deps(ledger, outbox, { budgetMs: 5 });
    const op = settleOp();
    expect(await settleDurably(d, op)).toEqual({ kind: "queued" });
    expect(calls).toHaveLength(1);
    expect(kept).toHaveLength(1);
    expect(queued).toEqual([op]);
  });

  it("without an outbox, logs the request id and leaves the hold to expire", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const op = voidOp();
    const outcome = await settleDurably(deps(scriptedLedger([], [down()]).ledger, undefined).d, op);
    expect(outcome).toEqual({ kind: "unresolved", reason: "no_outbox" });
    expect(String(error.mock.calls[0]?.[0])).toContain(op.req.requestId);
    expect(String(error.mock.calls[0]?.[0])).toContain("expire");
  });

  it.each([
    ["rejects", new Error("connection reset")],
    ["hangs", "hang" as const],
  ])("when the outbox %s too, logs the request id and resolves (no rejection)", async (_, failure) => {
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const { outbox } = recordingOutbox(failure);
    const op = settleOp();
    const outcome = await settleDurably(deps(scriptedLedger([down()]).ledger, outbox, { budgetMs: 20 }).d, op);
    expect(outcome).toEqual({ kind: "unresolved", reason: "outbox_unavailable" });
    expect(String(error.mock.calls[0]?.[0])).toContain(op.req.requestId);
  });

  it("logs and rethrows any other error (a bug) without retrying or queueing", async () => {
    const bug = new TypeError("cannot read properties of undefined");
    const { ledger, calls } = scriptedLedger([bug]);
    const { outbox, queued } = recordingOutbox();
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const op = settleOp();
    await expect(settleDurably(deps(ledger, outbox).d, op)).rejects.toBe(bug);
    expect(calls).toHaveLength(1);
    expect(queued).toEqual([]);
    expect(String(error.mock.calls[0]?.[0])).toContain(op.req.requestId);
  });

  it("logs unknown_hold loudly and returns it", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const op = settleOp();
    const outcome = await settleDurably(deps(scriptedLedger([{ kind: "unknown_hold" }]).ledger, undefined).d, op);
    expect(outcome).toEqual({ kind: "unknown_hold" });
    expect(String(error.mock.calls[0]?.[0])).toContain(op.req.requestId);
  });
});
