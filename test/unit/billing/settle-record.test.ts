/** settleDurably with the record op: a refused request's usage event takes the same retry → outbox path. */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { OutboxClient, RecordOp, SettlementOp } from "../../../src/ledger/outbox";
import { type SettleDeps, settleDurably } from "../../../src/ledger/settle-durably";
import { type Ledger, type RecordResult, StoreUnavailableError, type UsageEvent } from "../../../src/ledger/types";

/** A ledger whose record answers from a script, one step per call (the last step repeats); nothing else is used. */
function recordLedger(script: (RecordResult | Error)[]) {
  const events: UsageEvent[] = [];
  const unused = () => Promise.reject(new Error("not used for a record op"));
  const ledger: Ledger = {
    record(event) {
      events.push(event);
      const step = script[Math.min(events.length - 1, script.length - 1)];
      if (step === undefined) return Promise.reject(new Error("empty script"));
      return step instanceof Error ? Promise.reject(step) : Promise.resolve(step);
    },
    admit: unused,
    settle: unused,
    void: unused,
    credit: unused,
    balance: unused,
    entries: unused,
    usage: unused,
    sweep: unused,
    recordToolCall: unused,
  };
  return { ledger, events };
}

function recordingOutbox() {
  const queued: SettlementOp[] = [];
  const outbox: OutboxClient = {
    enqueue(op) {
      queued.push(op);
      return Promise.resolve();
    },
  };
  return { outbox, queued };
}

function deps(ledger: Ledger, outbox: OutboxClient | undefined): SettleDeps {
  return { ledger, outbox, waitUntil: () => undefined, sleep: async () => undefined, random: () => 0.5 };
}

const recordOp = (): RecordOp => {
  const requestId = `req-${crypto.randomUUID()}`;
  return {
    kind: "record",
    event: {
      requestId,
      at: 1,
      tenantId: "t",
      keyId: "k",
      inputTokens: 0,
      outputTokens: 0,
      cost: 0,
      cache: "none",
      latencyMs: 2,
      status: 429,
      policyVersion: "pv",
      flags: ["refused:rate_limited"],
    },
  };
};

const down = () => new StoreUnavailableError("ledger store unavailable (test)");

afterEach(() => {
  vi.restoreAllMocks();
});

describe("settleDurably with a record op", () => {
  it.each<RecordResult>([{ kind: "recorded" }, { kind: "duplicate" }])(
    "hands the event to ledger.record and returns its answer ($kind)",
    async (answer) => {
      const { ledger, events } = recordLedger([answer]);
      const { outbox, queued } = recordingOutbox();
      const op = recordOp();
      expect(await settleDurably(deps(ledger, outbox), op)).toEqual(answer);
      expect(events).toEqual([op.event]);
      expect(queued).toEqual([]);
    },
  );

  it("retries StoreUnavailableError, then queues the record op in the outbox", async () => {
    const { ledger, events } = recordLedger([down()]);
    const { outbox, queued } = recordingOutbox();
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const op = recordOp();
    expect(await settleDurably(deps(ledger, outbox), op)).toEqual({ kind: "queued" });
    expect(events).toHaveLength(3);
    expect(queued).toEqual([op]);
    expect(String(warn.mock.calls[0]?.[0])).toContain(op.event.requestId);
  });

  it("without an outbox, logs the request id and that the usage event is lost", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const op = recordOp();
    expect(await settleDurably(deps(recordLedger([down()]).ledger, undefined), op)).toEqual({
      kind: "unresolved",
      reason: "no_outbox",
    });
    expect(String(error.mock.calls[0]?.[0])).toContain(op.event.requestId);
    expect(String(error.mock.calls[0]?.[0])).toContain("usage event");
  });

  it("rethrows a caller bug (RangeError) without queueing", async () => {
    const bug = new RangeError("usage event: cost must be a non-negative integer number of micro-credits");
    const { ledger } = recordLedger([bug]);
    const { outbox, queued } = recordingOutbox();
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    await expect(settleDurably(deps(ledger, outbox), recordOp())).rejects.toBe(bug);
    expect(queued).toEqual([]);
  });
});
