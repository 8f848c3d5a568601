import { exports } from "cloudflare:workers";
import type { BatchObject } from "../../../src/batch/types";
import { type Account, type Backend, durableObjectBackend, newAccount, settled, sleep } from "../../helpers/billing";

/** Batch prices of the `bt-*` models (test/fixtures/policies/batch.yaml): half of 2 and 6 per token. */
export const BATCH_PRICE = { input: 1, output: 3 } as const;

export const backend: Backend = durableObjectBackend();

export function fundedAccount(credits: number): Promise<Account> {
  return newAccount(backend, credits, "t-batch");
}

export function call(account: Account, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${account.key}`);
  return exports.default.fetch(new Request(`http://gateway.test${path}`, { ...init, headers }));
}

export function chatLine(customId: string, model: string, text: string) {
  return {
    custom_id: customId,
    method: "POST",
    url: "/v1/chat/completions",
    body: { model, messages: [{ role: "user", content: text }], max_tokens: 16 },
  };
}

export function uploadRaw(account: Account, text: string, purpose = "batch"): Promise<Response> {
  const form = new FormData();
  form.set("purpose", purpose);
  form.set("file", new File([text], "input.jsonl", { type: "application/jsonl" }));
  return call(account, "/v1/files", { method: "POST", body: form });
}

export async function upload(account: Account, lines: unknown[]): Promise<string> {
  const res = await uploadRaw(account, `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`);
  if (res.status !== 200) throw new Error(`upload answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

export async function createBatch(
  account: Account,
  fileId: string,
  endpoint = "/v1/chat/completions",
  metadata?: Record<string, string>,
) {
  const res = await call(account, "/v1/batches", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ input_file_id: fileId, endpoint, completion_window: "24h", metadata }),
  });
  if (res.status !== 200) throw new Error(`create answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as BatchObject;
}

export async function getBatch(account: Account, id: string): Promise<BatchObject> {
  const res = await call(account, `/v1/batches/${id}`);
  if (res.status !== 200) throw new Error(`get answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as BatchObject;
}

const ENDED = new Set(["completed", "cancelled", "expired", "failed"]);

/** Polls until the batch has ended (bounded), then waits for the account's holds to resolve. */
export async function ended(account: Account, id: string, timeoutMs = 150_000): Promise<BatchObject> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const batch = await getBatch(account, id);
    if (ENDED.has(batch.status)) {
      await settled(backend, account);
      return batch;
    }
    if (Date.now() > deadline) throw new Error(`batch ${id} still ${batch.status}: ${JSON.stringify(batch)}`);
    await sleep(100);
  }
}

export interface Line {
  id: string;
  custom_id: string;
  response: { status_code: number; request_id: string | null; body: Record<string, unknown> } | null;
  error: { code: string; message: string } | null;
}

export async function fileLines(account: Account, fileId: string | null): Promise<Line[]> {
  if (fileId === null) return [];
  const res = await call(account, `/v1/files/${fileId}/content`);
  if (res.status !== 200) throw new Error(`content answered ${res.status}`);
  const text = await res.text();
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Line);
}

/** What a served chat line costs at batch prices, from the upstream's own usage in the line. */
export function chatCost(line: Line): number {
  const usage = line.response?.body.usage as { prompt_tokens: number; completion_tokens: number };
  return usage.prompt_tokens * BATCH_PRICE.input + usage.completion_tokens * BATCH_PRICE.output;
}
