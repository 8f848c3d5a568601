import { describe, expect, it } from "vitest";
import { costOf } from "../../src/ledger/pricing";
import type { CompiledPolicy } from "../../src/policy/types";
import generated from "../.generated/policy.json";
import { nonce, postJson, upstreamRequests } from "../helpers/gateway";

interface EmbeddingsList {
  object: string;
  data: { object: string; index: number; embedding: number[] | string }[];
  usage: { prompt_tokens: number };
}

describe("POST /v1/embeddings", () => {
  it("embeds a batch through the policy's embeddings model and bills it", async () => {
    const n = nonce();
    const res = await postJson("/v1/embeddings", { model: "m-embed", input: [`first ${n}`, "second"] });
    expect(res.status).toBe(200);
    const body = (await res.json()) as EmbeddingsList;
    expect(body.object).toBe("list");
    expect(body.data.map((d) => d.index)).toEqual([0, 1]);
    expect(Array.isArray(body.data[0]?.embedding)).toBe(true);
    expect(res.headers.get("x-gateway-model")).toBe("m-embed");
    // The charge is the upstream's own token count at the policy's price (a missing header must fail here).
    const pricing = (generated as unknown as CompiledPolicy).models["m-embed"]?.pricing;
    expect(pricing).toBeTruthy();
    expect(body.usage.prompt_tokens).toBeGreaterThan(0);
    const expected = costOf(
      { inputTokens: body.usage.prompt_tokens, outputTokens: 0 },
      pricing ?? { input_per_mtok: 0, output_per_mtok: 0 },
    );
    expect(res.headers.get("x-gateway-cost")).toBe(String(expected));
    expect(await upstreamRequests(n)).toHaveLength(1);
  });

  it("returns base64 float32 when asked, whatever the upstream sent", async () => {
    const res = await postJson("/v1/embeddings", { model: "m-embed", input: "hello", encoding_format: "base64" });
    const body = (await res.json()) as EmbeddingsList;
    const b64 = body.data[0]?.embedding;
    expect(typeof b64).toBe("string");
    const bytes = Uint8Array.from(atob(String(b64)), (ch) => ch.charCodeAt(0));
    expect(bytes.length % 4).toBe(0);
    expect(bytes.length).toBeGreaterThan(0);
  });

  it.each([
    [{ input: "x" }, "model"],
    [{ model: "m-embed", input: [] }, "input"],
    [{ model: "m-embed", input: "x", dimensions: 0 }, "dimensions"],
  ])("refuses %j naming the field", async (body, param) => {
    const res = await postJson("/v1/embeddings", body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { param: string } }).error.param).toBe(param);
  });

  it("refuses a chat model for embeddings and an embeddings model for chat", async () => {
    const wrongKind = await postJson("/v1/embeddings", { model: "m-openai", input: "x" });
    expect(wrongKind.status).toBe(400);
    const chat = await postJson("/v1/chat/completions", {
      model: "m-embed",
      messages: [{ role: "user", content: "x" }],
    });
    expect(chat.status).toBe(400);
  });
});
