import { describe, expect, it } from "vitest";
import type { FileObject } from "../../../src/batch/types";
import type { Account } from "../../helpers/billing";
import { gw, nonce, upstreamRequests } from "../../helpers/gateway";
import { call, chatLine, createBatch, ended, fundedAccount, upload } from "./helpers";

/** The Files API beyond upload: list (OpenAI's cursor page), retrieve, delete; scoped to the caller's tenant. */
interface FileList {
  object: "list";
  data: FileObject[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

async function list(account: Account, query = ""): Promise<FileList> {
  const res = await call(account, `/v1/files${query}`);
  if (res.status !== 200) throw new Error(`list answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as FileList;
}

async function uploadOne(account: Account, text: string): Promise<string> {
  return upload(account, [chatLine("x", "bt-chat", text)]);
}

describe("GET /v1/files", () => {
  it("pages the tenant's files newest first with after/limit, ascending with order=asc", async () => {
    const account = await fundedAccount(1_000);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(await uploadOne(account, `${nonce("files")} ${i}`));
      // created_at is in seconds: one second apart, so the order is the upload order.
      await new Promise((r) => setTimeout(r, 1_050));
    }
    const all = (await list(account)).data.map((f) => f.id);
    const ours = all.filter((id) => ids.includes(id));
    expect(ours).toEqual([...ids].reverse());

    const first = await list(account, "?limit=1");
    expect(first.data).toHaveLength(1);
    expect(first.has_more).toBe(true);
    const second = await list(account, `?limit=1&after=${first.last_id}`);
    expect(second.data[0]?.id).toBe(all[1]);
    expect(second.first_id).toBe(all[1]);

    const asc = (await list(account, "?order=asc")).data.map((f) => f.id).filter((id) => ids.includes(id));
    expect(asc).toEqual(ids);
    expect((await list(account, "?purpose=batch_output")).data.map((f) => f.id)).not.toContain(ids[0]);
    expect((await list(account, "?purpose=batch")).data.map((f) => f.id)).toEqual(expect.arrayContaining(ids));
  }, 30_000);

  it("never lists another tenant's files", async () => {
    const account = await fundedAccount(1_000);
    const id = await uploadOne(account, nonce("scoped"));
    const res = await gw("/v1/files"); // the main test key: another tenant
    expect(res.status).toBe(200);
    const other = (await res.json()) as FileList;
    expect(other.data.map((f) => f.id)).not.toContain(id);
    expect((await gw(`/v1/files/${id}`)).status).toBe(404);
    expect((await gw(`/v1/files/${id}`, { method: "DELETE" })).status).toBe(404);
    expect((await call(account, `/v1/files/${id}`)).status).toBe(200);
  });

  it.each([
    ["?limit=0", "limit"],
    ["?limit=10001", "limit"],
    ["?limit=abc", "limit"],
    ["?order=newest", "order"],
    ["?after=file-nope", "after"],
  ])("refuses %s with a 400 naming %s", async (query, param) => {
    const account = await fundedAccount(1_000);
    const res = await call(account, `/v1/files${query}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { param: string } }).error.param).toBe(param);
  });
});

describe("DELETE /v1/files/{id}", () => {
  it("deletes a file: its record and content are gone, and it leaves the list", async () => {
    const account = await fundedAccount(1_000);
    const id = await uploadOne(account, nonce("delete"));
    const res = await call(account, `/v1/files/${id}`, { method: "DELETE" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id, object: "file", deleted: true });
    expect((await call(account, `/v1/files/${id}`)).status).toBe(404);
    expect((await call(account, `/v1/files/${id}/content`)).status).toBe(404);
    expect((await list(account)).data.map((f) => f.id)).not.toContain(id);
    expect((await call(account, `/v1/files/${id}`, { method: "DELETE" })).status).toBe(404);
  });

  it("refuses (409) to delete the input of a batch that has not ended; once it ends, the file may go", async () => {
    const account = await fundedAccount(1_000_000);
    const tag = nonce("delete-busy");
    // The fake's Message Batch runs for 50 polls: the batch is running until it is cancelled.
    const fileId = await upload(account, [chatLine("b-0", "bt-anthropic", `${tag} fake-polls-50`)]);
    const batch = await createBatch(account, fileId);
    const refused = await call(account, `/v1/files/${fileId}`, { method: "DELETE" });
    expect(refused.status).toBe(409);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("conflict");
    expect(body.error.message).toContain(batch.id);
    for (let i = 0; i < 100 && (await upstreamRequests(tag)).length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await call(account, `/v1/batches/${batch.id}/cancel`, { method: "POST" })).status).toBe(200);
    const done = await ended(account, batch.id);
    expect(done.status).toBe("cancelled");
    expect((await call(account, `/v1/files/${fileId}`, { method: "DELETE" })).status).toBe(200);
    // The batch's own files stay readable: its output file is not the deleted input.
    if (done.output_file_id !== null) {
      expect((await call(account, `/v1/files/${done.output_file_id}/content`)).status).toBe(200);
    }
  }, 120_000);
});
