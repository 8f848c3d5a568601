import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embedText } from "../../../local/embeddings";
import { type LocalOrigin, startLocalOrigin } from "../../../local/origin";

let origin: LocalOrigin;
beforeAll(async () => {
  origin = await startLocalOrigin({ chunkDelayMs: 0 });
});
afterAll(() => origin.close());

async function embed(body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${origin.url}/v1/embeddings`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

function vectors(json: Record<string, unknown>): number[][] {
  const data = json.data as { embedding: number[] }[];
  return data.map((d) => d.embedding);
}

const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, x, i) => s + x * (b[i] ?? 0), 0);

describe("local origin /v1/embeddings", () => {
  it("serves real USE-lite vectors for local-embed", async () => {
    const { status, json } = await embed({
      model: "local-embed",
      input: ["How can I lose weight quickly?", "What is the fastest way to lose weight?", "Best pizza in Naples"],
      encoding_format: "float",
    });
    expect(status).toBe(200);
    expect(json.model).toBe("local-embed");
    const [q, near, far] = vectors(json);
    if (!q || !near || !far) throw new Error("missing vectors");
    expect(q).toHaveLength(512);
    // A paraphrase with few shared words: the lexical embedder could not rank it this way.
    expect(dot(q, near)).toBeGreaterThan(0.7);
    expect(dot(q, near)).toBeGreaterThan(dot(q, far) + 0.3);
  });

  it("refuses a dimensions value USE-lite cannot produce", async () => {
    const { status } = await embed({ model: "local-embed", input: "x", dimensions: 256 });
    expect(status).toBe(400);
  });

  it("keeps the lexical embedder as local-lexical", async () => {
    const { status, json } = await embed({ model: "local-lexical", input: "hello world", encoding_format: "float" });
    expect(status).toBe(200);
    expect(json.model).toBe("local-lexical");
    const [v] = vectors(json);
    expect(v).toHaveLength(256);
    (v ?? []).forEach((x, i) => {
      expect(x).toBeCloseTo(embedText("hello world")[i] ?? Number.NaN, 12);
    });
    const small = await embed({ model: "local-lexical", input: "hello", dimensions: 64, encoding_format: "float" });
    expect(vectors(small.json)[0]).toHaveLength(64);
  });

  it("still refuses chat models and unknown models", async () => {
    expect((await embed({ model: "local-small", input: "x" })).status).toBe(400);
    expect((await embed({ model: "nope", input: "x" })).status).toBe(404);
  });
});
