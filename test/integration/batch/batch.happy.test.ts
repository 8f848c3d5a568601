import { describe, expect, it } from "vitest";
import { nonce } from "../../helpers/gateway";
import { backend, call, chatCost, chatLine, createBatch, ended, fileLines, fundedAccount, upload } from "./helpers";

describe("Batch API on real Queues and R2", () => {
  it("runs a 1,000-item batch: one output line per item, each billed once at the batch price, exact books", async () => {
    const credits = 50_000_000;
    const account = await fundedAccount(credits);
    const tag = nonce("batch1k");
    const lines = Array.from({ length: 1000 }, (_, i) => chatLine(`req-${i}`, "bt-chat", `${tag} item ${i}`));
    const batch = await createBatch(account, await upload(account, lines));
    expect(batch).toMatchObject({ object: "batch", status: "in_progress", request_counts: { total: 1000 } });

    const done = await ended(account, batch.id);
    expect(done).toMatchObject({ status: "completed", request_counts: { total: 1000, completed: 1000, failed: 0 } });
    expect(done.error_file_id).toBeNull();
    const output = await fileLines(account, done.output_file_id);
    expect(output.map((l) => l.custom_id)).toEqual(lines.map((l) => l.custom_id));
    expect(output.every((l) => l.response?.status_code === 200 && l.error === null)).toBe(true);

    const billed = output.reduce((sum, l) => sum + chatCost(l), 0);
    const balance = await backend.ledger.balance(account.keyId, account.tenantId);
    expect(balance).toMatchObject({ openHolds: 0, held: 0, billed, balance: credits - billed });
    const usage = await backend.ledger.usage(account.tenantId, { keyId: account.keyId, limit: 2000 });
    expect(usage).toHaveLength(1000);
    expect(usage.every((e) => e.mode === "batch" && e.status === 200)).toBe(true);
    expect(new Set(usage.map((e) => e.requestId)).size).toBe(1000);
  }, 240_000);

  it("serves /v1/embeddings and /v1/responses lines through their own endpoints' paths", async () => {
    const account = await fundedAccount(5_000_000);
    const embed = await upload(account, [
      { custom_id: "e1", method: "POST", url: "/v1/embeddings", body: { model: "bt-embed", input: "hello there" } },
      { custom_id: "e2", method: "POST", url: "/v1/embeddings", body: { model: "bt-embed", input: ["a b", "c"] } },
    ]);
    const responses = await upload(account, [
      { custom_id: "r1", method: "POST", url: "/v1/responses", body: { model: "bt-chat", input: "Say hi" } },
    ]);
    const [e, r] = await Promise.all([
      createBatch(account, embed, "/v1/embeddings"),
      createBatch(account, responses, "/v1/responses"),
    ]);
    const eLines = await fileLines(account, (await ended(account, e.id)).output_file_id);
    expect(eLines.map((l) => [l.custom_id, l.response?.body.object])).toEqual([
      ["e1", "list"],
      ["e2", "list"],
    ]);
    const rLines = await fileLines(account, (await ended(account, r.id)).output_file_id);
    expect(rLines[0]?.response?.body).toMatchObject({ object: "response", status: "completed" });
    const usage = await backend.ledger.usage(account.tenantId, { keyId: account.keyId });
    expect(usage).toHaveLength(3);
    expect(usage.every((u) => u.mode === "batch")).toBe(true);
  }, 60_000);

  it("lists batches newest first with a cursor", async () => {
    const account = await fundedAccount(1_000_000);
    const file = await upload(account, [chatLine("only", "bt-chat", "list me")]);
    const first = await createBatch(account, file);
    const second = await createBatch(account, file);
    const page = (await (await call(account, "/v1/batches?limit=1")).json()) as {
      data: { id: string }[];
      has_more: boolean;
      last_id: string;
    };
    expect(page.data.map((b) => b.id)).toHaveLength(1);
    expect(page.has_more).toBe(true);
    const next = (await (await call(account, `/v1/batches?limit=100&after=${page.last_id}`)).json()) as {
      data: { id: string }[];
    };
    const ids = [...page.data, ...next.data].map((b) => b.id);
    expect(ids).toContain(first.id);
    expect(ids).toContain(second.id);
    await ended(account, first.id);
    await ended(account, second.id);
  }, 60_000);
});
