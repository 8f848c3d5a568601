import { describe, expect, it } from "vitest";
import { anthropicBatchApi } from "../../../src/providers/anthropic-batch";
import type { ResolvedProvider } from "../../../src/providers/types";
import { upstreamUrl } from "../../helpers/gateway";
import { ANTHROPIC_TEST_API_KEY } from "../../servers/cloud-credentials";

/** Anthropic's Message Batches client inside workerd against the fake upstream (which checks its headers). */
const provider = (key = ANTHROPIC_TEST_API_KEY): ResolvedProvider => ({
  id: "an",
  type: "anthropic",
  baseUrl: `${upstreamUrl()}/anthropic/v1`,
  headers: { "x-api-key": key, "anthropic-version": "2023-06-01" },
});
const fetchIt = (r: Request) => fetch(r);
const params = (text: string, model = "fake-claude") => ({
  model,
  max_tokens: 16,
  messages: [{ role: "user", content: text }],
});

describe("anthropicBatchApi in workerd", () => {
  it("creates a batch, polls it to ended and reads succeeded and errored results by custom_id", async () => {
    const lines = [params("count these words"), params("fail", "fake-claude;status=529")].map((body, i) =>
      anthropicBatchApi.inputLine(String(i), { path: "/messages", body }),
    );
    expect(JSON.parse(lines[0] ?? "")).toEqual({ custom_id: "0", params: params("count these words") });
    const id = await anthropicBatchApi.submit(provider(), fetchIt, lines, "/messages");
    const states: string[] = [];
    let results: string[] = [];
    for (let i = 0; i < 5; i++) {
      const state = await anthropicBatchApi.status(provider(), fetchIt, id);
      states.push(state.state);
      if (state.state === "completed") {
        results = state.results;
        break;
      }
    }
    expect(states).toEqual(["running", "running", "completed"]);
    const read = await anthropicBatchApi.lines(provider(), fetchIt, results[0] ?? "");
    const byId = new Map(read.map((l) => [l.customId, l]));
    const served = byId.get("0");
    if (served?.ok !== true) throw new Error("expected a succeeded result");
    expect(served.body).toMatchObject({ type: "message", usage: { output_tokens: expect.any(Number) } });
    expect(byId.get("1")).toEqual({ customId: "1", ok: false, status: 529, message: "fake request failure 529" });
  });

  it("refuses what the API cannot carry, and sends its credential only to the API's own origin", async () => {
    expect(() => anthropicBatchApi.inputLine("0", { path: "/embeddings", body: {} })).toThrow(/chat requests only/);
    const seen: string[] = [];
    const recording = (r: Request) => {
      seen.push(r.url);
      return fetch(r);
    };
    await expect(
      anthropicBatchApi.lines(provider(), recording, "https://elsewhere.example/v1/messages/batches/x/results"),
    ).rejects.toMatchObject({ code: "upstream_bad_response" });
    expect(seen).toEqual([]);
  });

  it("is refused by the provider without the right x-api-key", async () => {
    const line = anthropicBatchApi.inputLine("0", { path: "/messages", body: params("hi") });
    await expect(anthropicBatchApi.submit(provider("wrong-key"), fetchIt, [line], "/messages")).rejects.toMatchObject({
      code: "upstream_error",
    });
  });
});
