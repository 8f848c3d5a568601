import { describe, expect, it } from "vitest";
import { openAiBatchApi } from "../../../src/providers/openai-batch";
import { PROVIDER_PRESETS } from "../../../src/providers/presets";
import type { ResolvedProvider } from "../../../src/providers/types";
import { upstreamUrl } from "../../helpers/gateway";

/** The provider batch client inside workerd (FormData upload, polling, file content) against the fake upstream. */
describe("openAiBatchApi in workerd", () => {
  it("is a capability of the openai and anthropic provider types only", () => {
    const withBatch = Object.entries(PROVIDER_PRESETS)
      .filter(([, preset]) => "batchApi" in preset && preset.batchApi !== undefined)
      .map(([type]) => type);
    expect(withBatch).toEqual(["openai", "anthropic"]);
  });

  it("submits a JSONL batch, polls it to completion and reads per-line usage and the failed line", async () => {
    const provider: ResolvedProvider = {
      id: "oa",
      type: "openai",
      baseUrl: `${upstreamUrl()}/v1`,
      headers: { authorization: "Bearer sk-test" },
    };
    const fetchIt = (r: Request) => fetch(r);
    const body = { model: "alias", messages: [{ role: "user", content: "count these words" }] };
    const lines = ["fake-small", "fake-small;status=503"].map((model, i) =>
      openAiBatchApi.inputLine(String(i), { path: "/chat/completions", body: { ...body, model } }),
    );
    const id = await openAiBatchApi.submit(provider, fetchIt, lines, "/chat/completions");
    const states: string[] = [];
    for (let i = 0; i < 5; i++) {
      const state = await openAiBatchApi.status(provider, fetchIt, id);
      states.push(state.state);
      if (state.state !== "completed") continue;
      const [outputFile = "", errorFile = ""] = state.results;
      const output = await openAiBatchApi.lines(provider, fetchIt, outputFile);
      const errors = await openAiBatchApi.lines(provider, fetchIt, errorFile);
      const served = output[0];
      if (served?.ok !== true) throw new Error("expected a served line");
      const usage = (served.body as { usage: { prompt_tokens: number; completion_tokens: number } }).usage;
      expect(served.customId).toBe("0");
      expect(usage.prompt_tokens).toBeGreaterThan(0);
      expect(usage.completion_tokens).toBeGreaterThan(0);
      expect(errors).toEqual([{ customId: "1", ok: false, status: 503, message: "fake line failure 503" }]);
      break;
    }
    expect(states).toEqual(["running", "running", "completed"]);
  });
});
