import { toFile } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAiBatchApi } from "../../../src/providers/openai-batch";
import type { ProviderBatchState, ResolvedProvider } from "../../../src/providers/types";
import { type FakeUpstream, startFakeUpstream } from "../../servers/fake-upstream";
import { openAiClient } from "../servers/helpers";

let fake: FakeUpstream;
let provider: ResolvedProvider;
const fetchIt = (request: Request) => fetch(request);

beforeAll(async () => {
  fake = await startFakeUpstream();
  provider = { id: "oa", type: "openai", baseUrl: `${fake.url}/v1`, headers: { authorization: "Bearer sk-test" } };
});
afterAll(() => fake.close());

const chatBody = (text: string) => ({ model: "client-alias", messages: [{ role: "user", content: text }] });
/** A chat request as the adapter builds it for `model` (the path below the base URL, the body). */
const chatRequest = (text: string, model: string) => ({
  path: "/chat/completions",
  body: { ...chatBody(text), model },
});

async function pollUntilDone(id: string): Promise<{ polls: number; state: ProviderBatchState }> {
  for (let polls = 1; polls <= 10; polls++) {
    const state = await openAiBatchApi.status(provider, fetchIt, id);
    if (state.state !== "running") return { polls, state };
  }
  throw new Error("the fake batch never ended");
}

describe("fake upstream, OpenAI Batch API, through the official SDK", () => {
  it("uploads, creates, answers in_progress then completed, and serves an output file with usage", async () => {
    const client = openAiClient(`${fake.url}/v1`);
    const line = JSON.stringify({
      custom_id: "a",
      method: "POST",
      url: "/v1/chat/completions",
      body: { ...chatBody("hello there"), model: "fake-small" },
    });
    const file = await client.files.create({
      file: await toFile(Buffer.from(`${line}\n`), "in.jsonl"),
      purpose: "batch",
    });
    const batch = await client.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
      metadata: { fake_polls: "1" },
    });
    expect((await client.batches.retrieve(batch.id)).status).toBe("in_progress");
    const done = await client.batches.retrieve(batch.id);
    expect(done.status).toBe("completed");
    const text = await (await client.files.content(done.output_file_id ?? "")).text();
    const out = JSON.parse(text.trim()) as {
      custom_id: string;
      response: { status_code: number; body: { usage: { prompt_tokens: number } } };
    };
    expect(out.custom_id).toBe("a");
    expect(out.response.status_code).toBe(200);
    expect(out.response.body.usage.prompt_tokens).toBeGreaterThan(0);
  });
});

describe("openAiBatchApi (the provider capability) against the fake upstream", () => {
  it("carries each built request as a line, submits, polls to completion and reads output and error lines", async () => {
    const lines = [
      openAiBatchApi.inputLine("ok-1", chatRequest("one two", "fake-small")),
      openAiBatchApi.inputLine("bad", chatRequest("three", "fake-small;status=500")),
      openAiBatchApi.inputLine("ok-2", chatRequest("four five six", "fake-large")),
    ];
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({
      custom_id: "ok-1",
      method: "POST",
      url: "/v1/chat/completions",
    });
    const id = await openAiBatchApi.submit(provider, fetchIt, lines, "/chat/completions");
    const sent = fake
      .requests()
      .filter((r) => r.path === "/v1/files")
      .at(-1);
    expect(String(sent?.body)).toContain('"model":"fake-small;status=500"');
    expect(String(sent?.body)).not.toContain("client-alias");
    const { polls, state } = await pollUntilDone(id);
    expect(polls).toBe(3); // two in_progress answers (the fake's default), then completed
    if (state.state !== "completed") throw new Error(`expected completed, got ${state.state}`);
    expect(state.results).toHaveLength(2);
    const [outputFile = "", errorFile = ""] = state.results;
    const output = await openAiBatchApi.lines(provider, fetchIt, outputFile);
    const errors = await openAiBatchApi.lines(provider, fetchIt, errorFile);
    expect(output.map((l) => [l.customId, l.ok])).toEqual([
      ["ok-1", true],
      ["ok-2", true],
    ]);
    const first = output[0];
    if (first?.ok !== true) throw new Error("expected a served line");
    expect((first.body as { model: string; usage: { prompt_tokens: number } }).model).toBe("fake-small");
    expect(errors).toEqual([{ customId: "bad", ok: false, status: 500, message: "fake line failure 500" }]);
  });

  it("reports a failed or expired provider batch as ended, without files", async () => {
    const client = openAiClient(`${fake.url}/v1`);
    const line = openAiBatchApi.inputLine("x", chatRequest("hi", "fake-small"));
    const file = await client.files.create({ file: await toFile(Buffer.from(line), "in.jsonl"), purpose: "batch" });
    for (const status of ["failed", "expired"] as const) {
      const batch = await client.batches.create({
        input_file_id: file.id,
        endpoint: "/v1/chat/completions",
        completion_window: "24h",
        metadata: { fake_polls: "0", fake_status: status },
      });
      expect(await openAiBatchApi.status(provider, fetchIt, batch.id)).toEqual({ state: status });
    }
  });

  it("turns an upstream refusal into upstream_error and an unknown batch into the same", async () => {
    await expect(openAiBatchApi.status(provider, fetchIt, "batch_nope")).rejects.toMatchObject({
      code: "upstream_error",
    });
  });
});
