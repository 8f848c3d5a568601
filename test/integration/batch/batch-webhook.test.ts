import { describe, expect, it } from "vitest";
import type { BatchObject } from "../../../src/batch/types";
import { webhookBackoffSeconds } from "../../../src/batch/webhook-job";
import { newAccount } from "../../helpers/billing";
import { nonce } from "../../helpers/gateway";
import { toolTargetRequests, toolTargetUrl } from "../../helpers/tool-target";
import { backend, call, chatLine, createBatch, ended, upload } from "./helpers";

/**
 * The signed completion webhook (tenants.<id>.batch_webhook in test/fixtures/policies/batch.yaml): sent to the tool
 * target's Standard Webhooks receiver on loopback, which verifies the signature with its own HMAC implementation.
 */
interface Delivery {
  status: number;
  verified: boolean;
  type: string | null;
}

async function deliveries(batchId: string): Promise<Delivery[]> {
  const res = await fetch(`${toolTargetUrl()}/webhook/deliveries?id=msg_${batchId}`);
  return (await res.json()) as Delivery[];
}

/** The webhook POSTs the receiver got for a batch (not the test's own GETs of its verdicts). */
async function posted(batchId: string) {
  return (await toolTargetRequests(batchId)).filter((r) => r.method === "POST" && r.path === "/webhook");
}

async function until(check: () => Promise<boolean>, what: string, tries = 300): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function create(tenant: string, lines: unknown[], metadata?: Record<string, string>) {
  const account = await newAccount(backend, 1_000_000, tenant);
  return { account, batch: await createBatch(account, await upload(account, lines), undefined, metadata) };
}

describe("batch completion webhook", () => {
  it("sends a signed batch.completed event; a receiver that fails is tried again with backoff", async () => {
    const tag = nonce("hook");
    const { account, batch } = await create("t-batch-hook", [chatLine("h-0", "bt-chat", tag)], { fail_first: "1" });
    const done = await ended(account, batch.id);
    expect(done.status).toBe("completed");
    // First try: 500 (the receiver is "down"); the next comes webhookBackoffSeconds(1) later, and is accepted.
    expect(webhookBackoffSeconds(1)).toBe(5);
    await until(async () => (await deliveries(batch.id)).length >= 2, "the second delivery", 200);
    const seen = await deliveries(batch.id);
    expect(seen.map((d) => [d.status, d.verified, d.type])).toEqual([
      [500, true, "batch.completed"],
      [204, true, "batch.completed"],
    ]);
    const [request] = await posted(batch.id);
    expect(request?.headers["webhook-id"]).toBe(`msg_${batch.id}`);
    expect(request?.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    const event = JSON.parse(String(request?.body)) as { type: string; timestamp: string; data: BatchObject };
    expect(event.data).toMatchObject({ id: batch.id, status: "completed", request_counts: done.request_counts });
    expect(Date.parse(event.timestamp)).not.toBeNaN();
  }, 60_000);

  it("sends batch.cancelled when a batch is cancelled", async () => {
    const lines = Array.from({ length: 40 }, (_, i) => chatLine(`s-${i}`, "bt-slow", `${nonce("hook-cancel")} ${i}`));
    const { account, batch } = await create("t-batch-hook", lines);
    expect((await call(account, `/v1/batches/${batch.id}/cancel`, { method: "POST" })).status).toBe(200);
    expect((await ended(account, batch.id)).status).toBe("cancelled");
    await until(async () => (await deliveries(batch.id)).length >= 1, "the webhook");
    expect((await deliveries(batch.id)).map((d) => [d.status, d.type])).toEqual([[204, "batch.cancelled"]]);
  }, 60_000);

  it("refuses a webhook URL outside the tenant's allowlist: nothing leaves the Worker", async () => {
    const refusedTag = nonce("hook-refused");
    const { account: refusedAccount, batch: refused } = await create("t-batch-hook-refused", [
      chatLine("r-0", "bt-chat", refusedTag),
    ]);
    expect((await ended(refusedAccount, refused.id)).status).toBe("completed");
    // A batch of the allowlisted tenant, finished after the refused one, is delivered: by then the refused one's
    // webhook message has been consumed too.
    const { account, batch } = await create("t-batch-hook", [chatLine("a-0", "bt-chat", nonce("hook-after"))]);
    await ended(account, batch.id);
    await until(async () => (await deliveries(batch.id)).length >= 1, "the allowlisted tenant's webhook");
    expect(await deliveries(refused.id)).toEqual([]);
    expect(await posted(refused.id)).toEqual([]);
  }, 60_000);
});
