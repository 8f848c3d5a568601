import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { ChatRequest } from "../../../src/canonical/chat";
import { reservedPromptTokens } from "../../../src/gateway/billing/pricing";
import { estimatePromptTokens } from "../../../src/routing/token-estimate";
import { sleep } from "../../helpers/billing";
import { nonce, upstreamRequests } from "../../helpers/gateway";
import {
  BATCH_PRICE,
  backend,
  call,
  chatCost,
  chatLine,
  createBatch,
  ended,
  fileLines,
  fundedAccount,
  getBatch,
  upload,
} from "./helpers";

/** Queue retries of the item queue (wrangler.toml `max_retries`): each item is tried this many times plus one. */
const QUEUE_RETRIES = 3;

describe("Batch API faults", () => {
  it("retries a failing item, then dead-letters it into the error file; nothing is billed for it", async () => {
    const account = await fundedAccount(1_000_000);
    const tag = nonce("dlq");
    const lines = [
      chatLine("ok-1", "bt-chat", `${tag} fine`),
      chatLine("down-1", "bt-down", `${tag} broken one`),
      chatLine("ok-2", "bt-chat", `${tag} fine again`),
      chatLine("down-2", "bt-down", `${tag} broken two`),
    ];
    const done = await ended(account, (await createBatch(account, await upload(account, lines))).id);
    expect(done).toMatchObject({ status: "completed", request_counts: { total: 4, completed: 2, failed: 2 } });

    const output = await fileLines(account, done.output_file_id);
    const errors = await fileLines(account, done.error_file_id);
    expect(output.map((l) => l.custom_id)).toEqual(["ok-1", "ok-2"]);
    expect(errors.map((l) => [l.custom_id, l.error?.code, l.response?.status_code])).toEqual([
      ["down-1", "upstream_error", 502],
      ["down-2", "upstream_error", 502],
    ]);
    const broken = await upstreamRequests(`${tag} broken`);
    expect(broken).toHaveLength(2 * (QUEUE_RETRIES + 1));

    const billed = output.reduce((sum, l) => sum + chatCost(l), 0);
    const balance = await backend.ledger.balance(account.keyId, account.tenantId);
    expect(balance).toMatchObject({ openHolds: 0, billed, balance: 1_000_000 - billed });
    // One usage event per try: two settled items, and every failed try released (status 502, nothing billed).
    const usage = await backend.ledger.usage(account.tenantId, { keyId: account.keyId, limit: 100 });
    expect(usage.filter((u) => u.status === 200)).toHaveLength(2);
    expect(usage.filter((u) => u.status === 502).map((u) => u.cost)).toEqual(Array(2 * (QUEUE_RETRIES + 1)).fill(0));
    expect(usage.every((u) => u.mode === "batch")).toBe(true);
  }, 120_000);

  it("cancels mid-run: started items finish and are billed, the rest never run", async () => {
    const account = await fundedAccount(10_000_000);
    const tag = nonce("cancel");
    const lines = Array.from({ length: 300 }, (_, i) => chatLine(`c-${i}`, "bt-slow", `${tag} slow ${i}`));
    const batch = await createBatch(account, await upload(account, lines));
    for (let i = 0; i < 100; i++) {
      if ((await getBatch(account, batch.id)).request_counts.completed > 0) break;
      await sleep(50);
    }
    const res = await call(account, `/v1/batches/${batch.id}/cancel`, { method: "POST" });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe("cancelling");

    const done = await ended(account, batch.id);
    expect(done.status).toBe("cancelled");
    expect(done.cancelled_at).not.toBeNull();
    const { completed, failed } = done.request_counts;
    expect(completed).toBeGreaterThan(0);
    expect(completed).toBeLessThan(300);
    expect(failed).toBe(0);
    const output = await fileLines(account, done.output_file_id);
    expect(output).toHaveLength(completed);
    // Whatever reached the upstream was delivered and billed; nothing else ran.
    expect(await upstreamRequests(`${tag} slow`)).toHaveLength(completed);
    const billed = output.reduce((sum, l) => sum + chatCost(l), 0);
    expect(await backend.ledger.balance(account.keyId, account.tenantId)).toMatchObject({
      openHolds: 0,
      billed,
      balance: 10_000_000 - billed,
    });
    const again = await call(account, `/v1/batches/${batch.id}/cancel`, { method: "POST" });
    expect(again.status).toBe(200);
  }, 120_000);

  it("stops cleanly when credits run out: the remaining items fail with insufficient_credits", async () => {
    const credits = 600;
    const account = await fundedAccount(credits);
    const tag = nonce("broke");
    const lines = Array.from({ length: 60 }, (_, i) => chatLine(`b-${i}`, "bt-chat", `${tag} item ${i}`));
    const done = await ended(account, (await createBatch(account, await upload(account, lines))).id);
    expect(done.status).toBe("completed");
    const { completed, failed } = done.request_counts;
    expect(completed).toBeGreaterThan(0);
    expect(failed).toBeGreaterThan(0);
    expect(completed + failed).toBe(60);
    const output = await fileLines(account, done.output_file_id);
    const errors = await fileLines(account, done.error_file_id);
    expect(output).toHaveLength(completed);
    expect(new Set(errors.map((l) => l.error?.code))).toEqual(new Set(["insufficient_credits"]));
    const billed = output.reduce((sum, l) => sum + chatCost(l), 0);
    const balance = await backend.ledger.balance(account.keyId, account.tenantId);
    expect(balance).toMatchObject({ openHolds: 0, billed, balance: credits - billed });
    // Stopped because the money was gone, not while other holds were open: no failed item's smallest hold (its
    // prompt and one output token, the plan's min_output_tokens) fits in what is left.
    const byId = new Map(lines.map((l) => [l.custom_id, l.body]));
    for (const e of errors) {
      const body = byId.get(e.custom_id) as ChatRequest;
      const smallestHold = reservedPromptTokens(estimatePromptTokens(body)) * BATCH_PRICE.input + BATCH_PRICE.output;
      expect(smallestHold).toBeGreaterThan(balance.balance);
    }
  }, 120_000);

  it("a redelivered message never runs or bills an item twice", async () => {
    const account = await fundedAccount(5_000_000);
    const tag = nonce("dup");
    const lines = Array.from({ length: 20 }, (_, i) => chatLine(`d-${i}`, "bt-slow", `${tag} dup ${i}`));
    const batch = await createBatch(account, await upload(account, lines));
    const queue = (env as unknown as { BATCH_QUEUE: Queue }).BATCH_QUEUE;
    // Every item delivered twice more, while its first delivery may still be running.
    for (let round = 0; round < 2; round++) {
      await queue.sendBatch(
        lines.map((_, index) => ({ body: { tenantId: "t-batch", batchId: batch.id, index }, contentType: "json" })),
      );
    }
    const done = await ended(account, batch.id);
    expect(done.request_counts).toEqual({ total: 20, completed: 20, failed: 0 });
    expect(await upstreamRequests(`${tag} dup`)).toHaveLength(20);
    const output = await fileLines(account, done.output_file_id);
    const billed = output.reduce((sum, l) => sum + chatCost(l), 0);
    expect(await backend.ledger.balance(account.keyId, account.tenantId)).toMatchObject({ openHolds: 0, billed });
    expect(await backend.ledger.usage(account.tenantId, { keyId: account.keyId })).toHaveLength(20);
  }, 120_000);
});
