import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { BatchObject, ItemMessage } from "../../../src/batch/types";
import type { Account } from "../../helpers/billing";
import { nonce, type RecordedRequest, upstreamRequests, upstreamUrl } from "../../helpers/gateway";
import { FAIL_LINE } from "../../servers/openai-batch-routes";
import { backend, chatCost, chatLine, createBatch, ended, fileLines, fundedAccount, upload } from "./helpers";

/**
 * `batch.via: provider` (route batch-provider, test/fixtures/policies/batch.yaml): the batch goes to the fake's own
 * `/v1/files` + `/v1/batches`, is polled on the real queue, and each item is settled through the ledger once from
 * its result line, at the batch price.
 */
function create(account: Account, fileId: string, metadata?: Record<string, string>): Promise<BatchObject> {
  return createBatch(account, fileId, undefined, metadata);
}

async function outputFetches(): Promise<number> {
  const all = (await (await fetch(`${upstreamUrl()}/__requests`)).json()) as RecordedRequest[];
  return all.filter((r) => /^\/v1\/files\/file-fake-out-[^/]+\/content$/.test(r.path)).length;
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("batch.via: provider", () => {
  it("completes through the provider's batch API: one line per item, exact books, no interactive calls", async () => {
    const credits = 1_000_000;
    const account = await fundedAccount(credits);
    const tag = nonce("via-provider");
    const lines = [0, 1, 2, 3].map((i) =>
      chatLine(`p-${i}`, "bt-provider", i === 2 ? `${tag} ${FAIL_LINE}` : `${tag} item ${i}`),
    );
    const batch = await create(account, await upload(account, lines));
    const done = await ended(account, batch.id);
    expect(done).toMatchObject({ status: "completed", request_counts: { total: 4, completed: 3, failed: 1 } });
    const output = await fileLines(account, done.output_file_id);
    const errors = await fileLines(account, done.error_file_id);
    expect(output.map((l) => l.custom_id)).toEqual(["p-0", "p-1", "p-3"]);
    expect(errors.map((l) => [l.custom_id, l.error?.code])).toEqual([["p-2", "upstream_error"]]);

    // One upload, rewritten to the target's model; no item went to /v1/chat/completions.
    const sent = await upstreamRequests(tag);
    expect(sent.map((r) => r.path)).toEqual(["/v1/files"]);
    expect(String(sent[0]?.body)).toContain('"model":"fake-small;tokens=5"');
    expect(String(sent[0]?.body)).not.toContain('"model":"bt-provider"');

    const billed = output.reduce((sum, l) => sum + chatCost(l), 0);
    expect(billed).toBeGreaterThan(0);
    const balance = await backend.ledger.balance(account.keyId, account.tenantId);
    expect(balance).toMatchObject({ openHolds: 0, held: 0, billed, balance: credits - billed });
    const usage = await backend.ledger.usage(account.tenantId, { keyId: account.keyId });
    expect(usage).toHaveLength(3);
    expect(usage.every((e) => e.mode === "batch" && e.status === 200)).toBe(true);

    // The job message delivered again (here: submitted again, the worst case): its results find every item
    // settled, so nothing is billed twice.
    const before = await outputFetches();
    const again: ItemMessage = { tenantId: account.tenantId, batchId: batch.id, index: 0, job: {} };
    await (env as unknown as { BATCH_QUEUE: Queue<ItemMessage> }).BATCH_QUEUE.send(again, { contentType: "json" });
    await until(async () => (await outputFetches()) > before, "the repeated job to read its results");
    await until(async () => (await upstreamRequests(tag)).length === 2, "the second upload");
    const after = await backend.ledger.balance(account.keyId, account.tenantId);
    expect(after).toMatchObject({ openHolds: 0, held: 0, billed, balance: credits - billed });
    expect(await backend.ledger.usage(account.tenantId, { keyId: account.keyId })).toHaveLength(3);
  }, 120_000);

  it("settles a provider batch larger than one delivery's chunk (450 items: 200, 200, 50), each once", async () => {
    const credits = 10_000_000;
    const account = await fundedAccount(credits);
    const tag = nonce("via-provider-450");
    const lines = Array.from({ length: 450 }, (_, i) => chatLine(`c-${i}`, "bt-provider", `${tag} item ${i}`));
    const done = await ended(account, (await create(account, await upload(account, lines))).id);
    expect(done).toMatchObject({ status: "completed", request_counts: { total: 450, completed: 450, failed: 0 } });
    const output = await fileLines(account, done.output_file_id);
    expect(output.map((l) => l.custom_id)).toEqual(lines.map((l) => l.custom_id));
    const billed = output.reduce((sum, l) => sum + chatCost(l), 0);
    const balance = await backend.ledger.balance(account.keyId, account.tenantId);
    expect(balance).toMatchObject({ openHolds: 0, held: 0, billed, balance: credits - billed });
    const usage = await backend.ledger.usage(account.tenantId, { keyId: account.keyId, limit: 1000 });
    expect(usage).toHaveLength(450);
    expect(new Set(usage.map((e) => e.requestId)).size).toBe(450);
  }, 180_000);

  it("sends /v1/responses lines as chat requests and answers them as Responses objects", async () => {
    const credits = 1_000_000;
    const account = await fundedAccount(credits);
    const tag = nonce("via-provider-responses");
    const lines = [0, 1].map((i) => ({
      custom_id: `r-${i}`,
      method: "POST",
      url: "/v1/responses",
      body: { model: "bt-provider", input: `${tag} say hi ${i}`, max_output_tokens: 16 },
    }));
    const done = await ended(account, (await createBatch(account, await upload(account, lines), "/v1/responses")).id);
    expect(done).toMatchObject({ status: "completed", request_counts: { total: 2, completed: 2, failed: 0 } });
    const output = await fileLines(account, done.output_file_id);
    const bodies = output.map(
      (l) => l.response?.body as { object: string; usage: { input_tokens: number; output_tokens: number } },
    );
    expect(bodies.map((b) => b.object)).toEqual(["response", "response"]);
    const sent = await upstreamRequests(tag);
    expect(sent.map((r) => r.path)).toEqual(["/v1/files"]);
    expect(String(sent[0]?.body)).toContain('"url":"/v1/chat/completions"');
    const billed = bodies.reduce((sum, b) => sum + b.usage.input_tokens * 1 + b.usage.output_tokens * 3, 0);
    const balance = await backend.ledger.balance(account.keyId, account.tenantId);
    expect(balance).toMatchObject({ openHolds: 0, held: 0, billed, balance: credits - billed });
  }, 60_000);

  it.each(["expired", "failed"])(
    "a provider batch that ends %s fails every item and bills nothing",
    async (status) => {
      const credits = 1_000_000;
      const account = await fundedAccount(credits);
      const tag = nonce(`via-provider-${status}`);
      const lines = [0, 1].map((i) => chatLine(`q-${i}`, "bt-provider", `${tag} item ${i}`));
      const batch = await create(account, await upload(account, lines), { fake_polls: "1", fake_status: status });
      const done = await ended(account, batch.id);
      expect(done.request_counts).toEqual({ total: 2, completed: 0, failed: 2 });
      expect(done.output_file_id).toBeNull();
      const errors = await fileLines(account, done.error_file_id);
      expect(errors.map((l) => [l.custom_id, l.error?.code])).toEqual([
        ["q-0", "upstream_error"],
        ["q-1", "upstream_error"],
      ]);
      expect(errors[0]?.error?.message).toContain(status);
      const balance = await backend.ledger.balance(account.keyId, account.tenantId);
      expect(balance).toMatchObject({ openHolds: 0, held: 0, billed: 0, balance: credits });
      expect(await backend.ledger.usage(account.tenantId, { keyId: account.keyId })).toHaveLength(0);
    },
    60_000,
  );
});
