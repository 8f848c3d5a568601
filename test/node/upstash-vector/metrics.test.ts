import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalUpstashVector, startUpstashVector } from "../../servers/upstash-vector";
import { client } from "./helpers";

let euclidean: LocalUpstashVector;
let dot: LocalUpstashVector;

beforeAll(async () => {
  // Both share one engine (one PGlite per process), so the second start is quick.
  euclidean = await startUpstashVector({ dimensions: 3, metric: "EUCLIDEAN" });
  dot = await startUpstashVector({ dimensions: 3, metric: "DOT_PRODUCT" });
});

afterAll(async () => {
  await Promise.all([euclidean.close(), dot.close()]);
});

describe("similarity functions", () => {
  it("EUCLIDEAN scores 1 / (1 + d²), nearest first", async () => {
    const index = client(euclidean);
    await index.upsert([
      { id: "near", vector: [1, 0, 0] },
      { id: "mid", vector: [0, 2, 0] },
      { id: "far", vector: [3, 4, 0] },
    ]);
    const hits = await index.query({ vector: [0, 0, 0], topK: 3 });
    expect(hits.map((h) => h.id)).toEqual(["near", "mid", "far"]);
    const expected = [1 / (1 + 1), 1 / (1 + 4), 1 / (1 + 25)];
    hits.forEach((hit, i) => {
      expect(hit.score).toBeCloseTo(expected[i] ?? Number.NaN, 6);
    });
    expect((await index.info()).similarityFunction).toBe("EUCLIDEAN");
  });

  it("DOT_PRODUCT scores (1 + dot) / 2, largest product first", async () => {
    const index = client(dot);
    await index.upsert([
      { id: "same", vector: [0.6, 0.8, 0] },
      { id: "orthogonal", vector: [0.8, -0.6, 0] },
      { id: "opposite", vector: [-0.6, -0.8, 0] },
    ]);
    const hits = await index.query({ vector: [0.6, 0.8, 0], topK: 3 });
    expect(hits.map((h) => h.id)).toEqual(["same", "orthogonal", "opposite"]);
    expect(hits.map((h) => h.score)).toEqual([expect.closeTo(1, 6), expect.closeTo(0.5, 6), expect.closeTo(0, 6)]);
  });

  it("servers sharing the engine keep their data apart", async () => {
    expect((await client(euclidean).fetch(["same"]))[0]).toBeNull();
    expect((await client(dot).info()).namespaces[""]?.vectorCount).toBe(3);
  });

  it("refuses an unknown metric or dimension at start", async () => {
    await expect(startUpstashVector({ dimensions: 0 })).rejects.toThrow(/dimensions/);
    // @ts-expect-error: a JS caller can still pass anything.
    await expect(startUpstashVector({ metric: "MANHATTAN" })).rejects.toThrow(/metric/);
  });
});
