import net from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { findLocalEmbedder, LEXICAL_MODEL_ID, USE_LITE_MODEL_ID } from "../../../local/embedder";
import { embedText } from "../../../local/embeddings";
import { embedTexts, USE_LITE_DIMS, useLiteStats, warmUpUseLite } from "../../../local/embeddings-use";

const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, x, i) => s + x * (b[i] ?? 0), 0);
const norm = (a: readonly number[]) => Math.sqrt(dot(a, a));

// The model must load from the files inside the npm package: any socket or fetch during the load is a failure.
const connect = vi.spyOn(net.Socket.prototype, "connect");
const fetchSpy = vi.spyOn(globalThis, "fetch");

beforeAll(async () => {
  await warmUpUseLite();
});
afterAll(() => {
  connect.mockRestore();
  fetchSpy.mockRestore();
});

describe("USE-lite embedder", () => {
  it("loads from the package without touching the network", () => {
    expect(connect).not.toHaveBeenCalled();
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(useLiteStats().loadMs).toBeGreaterThan(0);
  });

  it("(the guard above does see sockets: a loopback connection trips it)", async () => {
    const server = net.createServer((s) => s.end());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    const before = connect.mock.calls.length;
    await new Promise<void>((resolve, reject) => net.connect(port, "127.0.0.1", resolve).on("error", reject));
    expect(connect.mock.calls.length).toBeGreaterThan(before);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("puts two paraphrases closer than an unrelated sentence, with unit-length 512-d vectors", async () => {
    const [q, near, far] = await embedTexts([
      "How do I reset my account password?",
      "I forgot my password, how can I change it?",
      "The weather in Lisbon is sunny today",
    ]);
    if (!q || !near || !far) throw new Error("missing vectors");
    expect(q).toHaveLength(USE_LITE_DIMS);
    expect(norm(q)).toBeCloseTo(1, 5);
    expect(dot(q, near)).toBeGreaterThan(dot(q, far) + 0.2);
  });

  it("gives the same vector for a text alone or inside a batch", async () => {
    const texts = ["alpha beta", "What is the capital of France?", "gamma"];
    const batch = await embedTexts(texts, 3);
    const alone = await embedTexts(["What is the capital of France?"]);
    const a = alone[0] ?? [];
    for (const [i, v] of (batch[1] ?? []).entries()) expect(v).toBeCloseTo(a[i] ?? Number.NaN, 5);
  });

  it("returns zero vectors for empty texts, wherever they sit in the batch", async () => {
    const out = await embedTexts(["", "hello world", ""], 8);
    expect(out.map((v) => v.length)).toEqual([USE_LITE_DIMS, USE_LITE_DIMS, USE_LITE_DIMS]);
    expect(norm(out[0] ?? [])).toBe(0);
    expect(norm(out[2] ?? [])).toBe(0);
    expect(norm(out[1] ?? [])).toBeCloseTo(1, 5);
    expect(await embedTexts([""])).toEqual([new Array(USE_LITE_DIMS).fill(0)]);
    expect(await embedTexts([])).toEqual([]);
  });

  it("refuses a nonsensical batch size", async () => {
    await expect(embedTexts(["x"], 0)).rejects.toThrow(RangeError);
  });
});

describe("local embedder registry", () => {
  it("serves USE-lite as local-embed and refuses other dimensions", async () => {
    const use = findLocalEmbedder(USE_LITE_MODEL_ID);
    expect(use?.defaultDims).toBe(512);
    expect(await use?.embed(["x"], 256)).toMatchObject({ ok: false });
    const ok = await use?.embed(["x"], 512);
    expect(ok?.ok && ok.vectors[0]?.length).toBe(512);
  });

  it("keeps the lexical embedder as local-lexical, honouring dimensions", async () => {
    const lexical = findLocalEmbedder(LEXICAL_MODEL_ID);
    expect(await lexical?.embed(["hello world"], undefined)).toEqual({
      ok: true,
      vectors: [embedText("hello world", 256)],
    });
    expect(await lexical?.embed(["hello world"], 64)).toEqual({ ok: true, vectors: [embedText("hello world", 64)] });
  });

  it("knows no other model", () => {
    expect(findLocalEmbedder("local-small")).toBeUndefined();
  });
});
