import { describe, expect, it } from "vitest";
import { type Settlement, type SettleOp, StreamBill } from "../../../src/gateway/billing/meter";
import type { Admission } from "../../../src/gateway/billing/types";
import type { ModelConfig } from "../../../src/policy/types";

/** What an Idempotency-Key replay of a streamed answer stores: the transcript, or the error envelope past 4 MiB. */

function settled(frames: string[]): Promise<SettleOp> {
  const admission = {
    accountId: "k1",
    tenantId: "t1",
    requestId: "req-1",
    reserved: 1_000,
    outputTokens: 100,
    clamped: false,
    balanceAfter: 0,
    rate: [],
    pricing: { input_per_mtok: 1, output_per_mtok: 1 },
    input: { requestId: "req-1", idempotencyKey: "idem-1", bodyHash: "h" },
  } satisfies Admission;
  return new Promise((resolve) => {
    const s: Settlement = {
      admission,
      promptEstimate: 5,
      usage: (facts) => ({
        ...facts,
        requestId: "req-1",
        at: 0,
        tenantId: "t1",
        keyId: "k1",
        cache: "none",
        latencyMs: 0,
        policyVersion: "v1",
      }),
      submit: async (op) => resolve(op),
    };
    const bill = new StreamBill(s, { context_window: 1000, pricing: null } as unknown as ModelConfig, true);
    for (const frame of frames) bill.sent(frame);
    bill.outcome = "completed";
    bill.finish();
  });
}

describe("StreamBill's stored replay", () => {
  it("keeps the whole transcript when it fits", async () => {
    const op = await settled(["data: a\n\n", "data: [DONE]\n\n"]);
    expect(op.kind === "settle" && op.req.idempotency?.response).toEqual({
      status: 200,
      headers: { "content-type": "text/event-stream; charset=utf-8" },
      body: "data: a\n\ndata: [DONE]\n\n",
    });
  });

  it("past 4 MiB stores the one error envelope (code conflict, with the request id) instead", async () => {
    const op = await settled(["x".repeat(3 * 1024 * 1024), "y".repeat(2 * 1024 * 1024)]);
    if (op.kind !== "settle") throw new Error(`expected a settle, got ${op.kind}`);
    const stored = op.req.idempotency?.response;
    expect(stored?.headers).toEqual({ "content-type": "application/json" });
    expect(JSON.parse(stored?.body ?? "null")).toEqual({
      type: "error",
      error: {
        message:
          "The original response to this Idempotency-Key was too large to store; it was delivered and billed once.",
        type: "invalid_request_error",
        code: "conflict",
        param: "Idempotency-Key",
      },
      request_id: "req-1",
    });
  });
});
