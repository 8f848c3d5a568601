import { describe, expect, it } from "vitest";
import { modelEmbedder, workersAiEmbedder } from "../../../src/cache/embedder";
import { guardCall } from "../../../src/cache/guard";
import { CacheUnavailableError } from "../../../src/cache/types";

const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

describe("embedders", () => {
  it("Workers AI: calls the binding with the text and returns a unit vector", async () => {
    const calls: unknown[] = [];
    const binding = {
      async run(model: string, input: { text: string[] }) {
        calls.push({ model, input });
        return { shape: [1, 3], data: [[3, 0, 4]] };
      },
    };
    const result = await workersAiEmbedder(binding, "@cf/baai/bge-base-en-v1.5").embed("hello");
    expect(calls).toEqual([{ model: "@cf/baai/bge-base-en-v1.5", input: { text: ["hello"] } }]);
    expect(result.ok).toBe(true);
    const vector = result.ok ? result.vector : [];
    expect(vector).toHaveLength(3);
    [0.6, 0, 0.8].forEach((x, i) => {
      expect(vector[i]).toBeCloseTo(x, 12);
    });
  });

  it("Workers AI: a failing binding or an unusable answer is a failed result, never a throw", async () => {
    const failing = { run: async () => Promise.reject(new Error("quota")) };
    expect(await workersAiEmbedder(failing, "m").embed("x")).toMatchObject({ ok: false });
    const weird = { run: async () => ({ data: [] }) };
    expect(await workersAiEmbedder(weird, "m").embed("x")).toMatchObject({ ok: false });
    const zero = { run: async () => ({ data: [[0, 0]] }) };
    expect(await workersAiEmbedder(zero, "m").embed("x")).toMatchObject({ ok: false });
  });

  it("model alias: normalises the upstream's float embedding; refuses base64 and failures", async () => {
    const ok = modelEmbedder("m-embed", async () => ({
      ok: true,
      response: {
        object: "list",
        data: [{ object: "embedding", index: 0, embedding: [1, 2, 2] }],
        model: "e",
        usage: { prompt_tokens: 1, total_tokens: 1 },
      },
    }));
    const result = await ok.embed("hi");
    expect(result.ok).toBe(true);
    if (result.ok) expect(norm(result.vector)).toBeCloseTo(1, 10);
    const b64 = modelEmbedder("m", async () => ({
      ok: true,
      response: {
        object: "list",
        data: [{ object: "embedding", index: 0, embedding: "AAAA" }],
        model: "e",
        usage: { prompt_tokens: 1, total_tokens: 1 },
      },
    }));
    expect(await b64.embed("hi")).toMatchObject({ ok: false });
    expect(await modelEmbedder("m", async () => ({ ok: false, reason: "down" })).embed("hi")).toEqual({
      ok: false,
      reason: "down",
    });
  });

  it("a cache call that fails or hangs becomes CacheUnavailableError", async () => {
    await expect(guardCall("get", 1000, async () => Promise.reject(new Error("boom")))).rejects.toBeInstanceOf(
      CacheUnavailableError,
    );
    await expect(guardCall("get", 20, () => new Promise<never>(() => undefined))).rejects.toThrow(/timed out/);
    expect(await guardCall("get", 1000, async () => 7)).toBe(7);
  });
});
