import { describe, expect, it } from "vitest";
import { TEST_KEYS } from "../../helpers/keys";
import { call, chatLine, createBatch, ended, fundedAccount, upload, uploadRaw } from "./helpers";

const good = JSON.stringify(chatLine("a", "bt-chat", "hello"));

async function errorOf(res: Response) {
  return { status: res.status, ...((await res.json()) as { error: { code: string; message: string; param: string } }) };
}

describe("Batch API: bad input gets a clear 400 with the line number", () => {
  it.each([
    ["malformed JSON", `${good}\n{"custom_id": "b", "method": "POST",\n`, /^Line 2 of the file: not valid JSON/],
    [
      "an endpoint the gateway does not serve",
      `${good}\n${JSON.stringify({ ...chatLine("b", "bt-chat", "x"), url: "/v1/completions" })}`,
      /^Line 2 of the file: url must be one of/,
    ],
    ["a repeated custom_id", `${good}\n\n${good}`, /^Line 3 of the file: custom_id "a" is repeated/],
    [
      "a body its endpoint refuses",
      JSON.stringify({ ...chatLine("b", "bt-chat", "x"), body: { model: "bt-chat", messages: "nope" } }),
      /^Line 1 of the file: body\.messages/,
    ],
    [
      "a streamed request",
      JSON.stringify({ ...chatLine("b", "bt-chat", "x"), body: { model: "bt-chat", stream: true, messages: [] } }),
      /^Line 1 of the file: body\.stream must not be true/,
    ],
    [
      "mixed endpoints",
      `${good}\n${JSON.stringify({ custom_id: "e", method: "POST", url: "/v1/embeddings", body: { model: "bt-embed", input: "x" } })}`,
      /^Line 2 of the file: url \/v1\/embeddings differs/,
    ],
    ["an empty file", "\n\n", /^Line 1 of the file: the file holds no requests/],
  ])("refuses %s", async (_label, text, message) => {
    const account = await fundedAccount(0);
    const err = await errorOf(await uploadRaw(account, text));
    expect(err).toMatchObject({ status: 400, error: { code: "invalid_request", param: "file" } });
    expect(err.error.message).toMatch(message);
  });

  it("refuses a purpose other than batch", async () => {
    const err = await errorOf(await uploadRaw(await fundedAccount(0), good, "fine-tune"));
    expect(err).toMatchObject({ status: 400, error: { code: "invalid_request", param: "purpose" } });
  });

  it("refuses an oversize file with 413 (MAX_FILE_BYTES), whatever its lines", async () => {
    const account = await fundedAccount(0);
    const line = JSON.stringify(chatLine("x", "bt-chat", "y".repeat(1000)));
    const lines = Array.from({ length: 1100 }, (_, i) => line.replace('"x"', `"x${i}"`));
    const err = await errorOf(await uploadRaw(account, lines.join("\n")));
    expect(err).toMatchObject({ status: 413, error: { code: "payload_too_large" } });
  });

  it("refuses a batch whose endpoint is not the file's, or whose file is unknown", async () => {
    const account = await fundedAccount(0);
    const file = await upload(account, [chatLine("a", "bt-chat", "x")]);
    const post = (body: unknown) =>
      call(account, "/v1/batches", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const wrong = await errorOf(
      await post({ input_file_id: file, endpoint: "/v1/embeddings", completion_window: "24h" }),
    );
    expect(wrong).toMatchObject({ status: 400, error: { param: "endpoint" } });
    const window = await errorOf(
      await post({ input_file_id: file, endpoint: "/v1/chat/completions", completion_window: "1h" }),
    );
    expect(window).toMatchObject({ status: 400, error: { param: "completion_window" } });
    const missing = await errorOf(
      await post({ input_file_id: "file-nope", endpoint: "/v1/chat/completions", completion_window: "24h" }),
    );
    expect(missing).toMatchObject({ status: 400, error: { param: "input_file_id" } });
  });

  it("keeps files and batches to their tenant", async () => {
    const account = await fundedAccount(1_000_000);
    const file = await upload(account, [chatLine("a", "bt-chat", "mine")]);
    const batch = await createBatch(account, file);
    const other = { key: TEST_KEYS.main.key, keyId: TEST_KEYS.main.keyId, tenantId: TEST_KEYS.main.tenant };
    expect((await call(other, `/v1/files/${file}/content`)).status).toBe(404);
    expect((await call(other, `/v1/batches/${batch.id}`)).status).toBe(404);
    expect((await call(other, `/v1/batches/${batch.id}/cancel`, { method: "POST" })).status).toBe(404);
    await ended(account, batch.id);
    const conflict = await errorOf(await call(account, `/v1/batches/${batch.id}/cancel`, { method: "POST" }));
    expect(conflict).toMatchObject({ status: 409, error: { code: "conflict" } });
  });
});
