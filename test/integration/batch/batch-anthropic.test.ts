import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { ItemMessage } from "../../../src/batch/types";
import { nonce, type RecordedRequest, upstreamRequests, upstreamUrl } from "../../helpers/gateway";
import { EXPIRE_LINE } from "../../servers/anthropic-batch-routes";
import { FAIL_LINE } from "../../servers/openai-batch-routes";
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
  upload,
} from "./helpers";

/**
 * `batch.via: provider` on a route whose target is an Anthropic model (route batch-anthropic,
 * test/fixtures/policies/batch.yaml): OpenAI-format items go to the fake's Message Batches translated as a live call
 * is, are polled on the real queue, and each result comes back as an OpenAI-format line, billed once at the batch
 * price through the ledger.
 */
const BATCHES_PATH = "/anthropic/v1/messages/batches";

async function recorded(filter: (r: RecordedRequest) => boolean): Promise<RecordedRequest[]> {
  const all = (await (await fetch(`${upstreamUrl()}/__requests`)).json()) as RecordedRequest[];
  return all.filter(filter);
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("batch.via: provider to Anthropic's Message Batches", () => {
  it("translates items to Messages params, returns OpenAI lines, fails what the provider failed, bills once", async () => {
    const credits = 1_000_000;
    const account = await fundedAccount(credits);
    const tag = nonce("via-anthropic");
    const seeded = chatLine("a-4", "bt-anthropic", `${tag} seeded`);
    const lines = [
      chatLine("a-0", "bt-anthropic", `${tag} first item`),
      chatLine("a-1", "bt-anthropic", `${tag} ${FAIL_LINE}`),
      chatLine("a-2", "bt-anthropic", `${tag} second item`),
      chatLine("a-3", "bt-anthropic", `${tag} ${EXPIRE_LINE}`),
      // A parameter Anthropic cannot take: this item fails at once and is never sent.
      { ...seeded, body: { ...seeded.body, seed: 7 } },
    ];
    const done = await ended(account, (await createBatch(account, await upload(account, lines))).id);
    expect(done).toMatchObject({ status: "completed", request_counts: { total: 5, completed: 2, failed: 3 } });
    const output = await fileLines(account, done.output_file_id);
    const errors = await fileLines(account, done.error_file_id);
    expect(output.map((l) => l.custom_id)).toEqual(["a-0", "a-2"]);
    expect(errors.map((l) => [l.custom_id, l.error?.code])).toEqual([
      ["a-1", "upstream_error"],
      ["a-3", "batch_expired"],
      ["a-4", "unsupported_parameter"],
    ]);
    // Served lines are what /v1/chat/completions answers.
    const body = output[0]?.response?.body as { object: string; choices: { message: { content: string } }[] };
    expect(body.object).toBe("chat.completion");
    expect(body.choices[0]?.message.content.length).toBeGreaterThan(0);

    // One create call carrying Messages params for the target's model; nothing went to /v1/messages.
    const sent = await upstreamRequests(tag);
    expect(sent.map((r) => r.path)).toEqual([BATCHES_PATH]);
    type Created = { requests: { custom_id: string; params: Record<string, unknown> }[] };
    const requests = (sent[0]?.body as Created | undefined)?.requests ?? [];
    expect(requests.map((r) => r.custom_id)).toEqual(["0", "1", "2", "3"]);
    expect(requests[0]?.params).toMatchObject({
      model: "fake-claude;tokens=5",
      max_tokens: 16,
      messages: [{ role: "user" }],
    });
    expect(JSON.stringify(requests)).not.toContain("bt-anthropic");

    const billed = output.reduce((sum, l) => sum + chatCost(l), 0);
    expect(billed).toBeGreaterThan(0);
    const balance = await backend.ledger.balance(account.keyId, account.tenantId);
    expect(balance).toMatchObject({ openHolds: 0, held: 0, billed, balance: credits - billed });
    const usage = await backend.ledger.usage(account.tenantId, { keyId: account.keyId });
    expect(usage).toHaveLength(2);
    expect(usage.every((e) => e.mode === "batch" && e.status === 200)).toBe(true);

    // The job delivered again from the start (submitted again, the worst case): every item is found settled.
    const resultReads = () => recorded((r) => r.path.startsWith(BATCHES_PATH) && r.path.endsWith("/results"));
    const before = (await resultReads()).length;
    const again: ItemMessage = { tenantId: account.tenantId, batchId: done.id, index: 0, job: {} };
    await (env as unknown as { BATCH_QUEUE: Queue<ItemMessage> }).BATCH_QUEUE.send(again, { contentType: "json" });
    await until(async () => (await resultReads()).length > before, "the repeated job to read its results");
    const after = await backend.ledger.balance(account.keyId, account.tenantId);
    expect(after).toMatchObject({ openHolds: 0, held: 0, billed, balance: credits - billed });
    expect(await backend.ledger.usage(account.tenantId, { keyId: account.keyId })).toHaveLength(2);
  }, 120_000);

  it("serves /v1/responses items through Message Batches as Responses objects, billed at the batch price", async () => {
    const credits = 1_000_000;
    const account = await fundedAccount(credits);
    const tag = nonce("via-anthropic-responses");
    const lines = [0, 1].map((i) => ({
      custom_id: `r-${i}`,
      method: "POST",
      url: "/v1/responses",
      body: { model: "bt-anthropic", input: `${tag} say hi ${i}`, max_output_tokens: 16 },
    }));
    const batch = await createBatch(account, await upload(account, lines), "/v1/responses");
    const done = await ended(account, batch.id);
    expect(done).toMatchObject({ status: "completed", request_counts: { total: 2, completed: 2, failed: 0 } });
    const output = await fileLines(account, done.output_file_id);
    const bodies = output.map(
      (l) =>
        l.response?.body as { object: string; status: string; usage: { input_tokens: number; output_tokens: number } },
    );
    expect(bodies.map((b) => [b.object, b.status])).toEqual([
      ["response", "completed"],
      ["response", "completed"],
    ]);
    const sent = await upstreamRequests(tag);
    expect(sent.map((r) => r.path)).toEqual([BATCHES_PATH]);
    const billed = bodies.reduce(
      (sum, b) => sum + b.usage.input_tokens * BATCH_PRICE.input + b.usage.output_tokens * BATCH_PRICE.output,
      0,
    );
    const balance = await backend.ledger.balance(account.keyId, account.tenantId);
    expect(balance).toMatchObject({ openHolds: 0, held: 0, billed, balance: credits - billed });
  }, 120_000);

  it("a cancelled batch cancels the provider's: what it ran is billed and kept, the rest ends unrun", async () => {
    const credits = 1_000_000;
    const account = await fundedAccount(credits);
    const tag = nonce("via-anthropic-cancel");
    // fake-polls-50: the provider's batch would run for 50 polls; only the cancel ends it.
    const lines = [0, 1, 2].map((i) => chatLine(`c-${i}`, "bt-anthropic", `${tag} fake-polls-50 item ${i}`));
    const batch = await createBatch(account, await upload(account, lines));
    await until(async () => (await upstreamRequests(tag)).length > 0, "the provider batch to be created");
    const res = await call(account, `/v1/batches/${batch.id}/cancel`, { method: "POST" });
    expect(res.status).toBe(200);
    const done = await ended(account, batch.id);
    expect(done.status).toBe("cancelled");
    const cancels = await recorded((r) => r.path.startsWith(BATCHES_PATH) && r.path.endsWith("/cancel"));
    expect(cancels.length).toBeGreaterThanOrEqual(1);
    // The fake had run the first request when it was cancelled: that one is served and billed, the others never ran.
    const output = await fileLines(account, done.output_file_id);
    expect(output.map((l) => l.custom_id)).toEqual(["c-0"]);
    expect(done.error_file_id).toBeNull();
    expect(done.request_counts).toEqual({ total: 3, completed: 1, failed: 0 });
    const [served] = output;
    if (served === undefined) throw new Error("expected the served line");
    const billed = chatCost(served);
    const balance = await backend.ledger.balance(account.keyId, account.tenantId);
    expect(balance).toMatchObject({ openHolds: 0, held: 0, billed, balance: credits - billed });
  }, 120_000);
});
