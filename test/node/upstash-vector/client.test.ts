import type { Index } from "@upstash/vector";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalUpstashVector, startUpstashVector } from "../../servers/upstash-vector";
import { atAngle, client, cosineScore, namespace, raw } from "./helpers";

const DIM = 8;
let local: LocalUpstashVector;
let index: Index;

beforeAll(async () => {
  local = await startUpstashVector({ dimensions: DIM, token: "vector-test-token" });
  index = client(local);
});

afterAll(async () => {
  await local.close();
});

describe("upsert and query", () => {
  it("scores COSINE as (1 + cos) / 2, best first, for vectors at known angles", async () => {
    const ns = index.namespace(namespace("angles"));
    await ns.upsert([0, 30, 60, 90, 180].map((deg) => ({ id: `deg-${deg}`, vector: atAngle(deg, DIM) })));
    const hits = await ns.query({ vector: atAngle(0, DIM), topK: 5 });
    expect(hits.map((h) => h.id)).toEqual(["deg-0", "deg-30", "deg-60", "deg-90", "deg-180"]);
    for (const hit of hits) {
      expect(hit.score).toBeCloseTo(cosineScore(Number(String(hit.id).slice(4))), 6);
    }
    expect(hits[0]?.score).toBeCloseTo(1, 6);
    expect(hits[3]?.score).toBeCloseTo(0.5, 6);
    expect(hits[4]?.score).toBeCloseTo(0, 6);
  });

  it("scores unnormalised vectors by angle alone", async () => {
    const ns = index.namespace(namespace("scale"));
    await ns.upsert({ id: "long", vector: atAngle(45, DIM).map((x) => x * 7) });
    const [hit] = await ns.query({ vector: atAngle(0, DIM).map((x) => x * 0.25), topK: 1 });
    expect(hit?.score).toBeCloseTo(cosineScore(45), 6);
  });

  it("honours topK and answers [] for an empty namespace", async () => {
    const ns = index.namespace(namespace("topk"));
    expect(await ns.query({ vector: atAngle(0, DIM), topK: 3 })).toEqual([]);
    await ns.upsert([10, 20, 30, 40].map((deg) => ({ id: `d${deg}`, vector: atAngle(deg, DIM) })));
    expect((await ns.query({ vector: atAngle(0, DIM), topK: 2 })).map((h) => h.id)).toEqual(["d10", "d20"]);
  });

  it("returns vector, metadata and data only when their include flag is set", async () => {
    const ns = index.namespace(namespace("include"));
    const vector = [0.5, -0.25, 0.125, 0, 0, 0, 0, 1];
    await ns.upsert({ id: 7, vector, metadata: { tenant: "t1", n: 2 }, data: "the prompt" });
    const [bare] = await ns.query({ vector, topK: 1 });
    expect(Object.keys(bare ?? {}).sort()).toEqual(["id", "score"]);
    expect(bare?.id).toBe("7");
    const [full] = await ns.query({ vector, topK: 1, includeMetadata: true, includeVectors: true, includeData: true });
    expect(full).toMatchObject({ id: "7", vector, metadata: { tenant: "t1", n: 2 }, data: "the prompt" });
  });

  it("an upsert replaces the whole record", async () => {
    const ns = index.namespace(namespace("replace"));
    await ns.upsert({ id: "a", vector: atAngle(0, DIM), metadata: { v: 1 }, data: "old" });
    await ns.upsert({ id: "a", vector: atAngle(90, DIM), metadata: { v: 2 } });
    const [got] = await ns.fetch(["a"], { includeMetadata: true, includeVectors: true, includeData: true });
    expect(got?.metadata).toEqual({ v: 2 });
    expect(got?.data).toBeUndefined();
    expect(got?.vector?.[1]).toBeCloseTo(1, 6);
  });

  it("queryMany answers one list per query", async () => {
    const ns = namespace("many");
    await index.upsert(
      [0, 90].map((deg) => ({ id: `m${deg}`, vector: atAngle(deg, DIM) })),
      { namespace: ns },
    );
    const lists = await index.queryMany(
      [
        { vector: atAngle(0, DIM), topK: 1 },
        { vector: atAngle(90, DIM), topK: 1 },
      ],
      { namespace: ns },
    );
    expect(lists.map((l) => l.map((h) => h.id))).toEqual([["m0"], ["m90"]]);
  });
});

describe("namespaces", () => {
  it("isolate vectors: the same id in two namespaces never mixes", async () => {
    const [a, b] = [namespace("iso-a"), namespace("iso-b")];
    await index.namespace(a).upsert({ id: "same", vector: atAngle(0, DIM), metadata: { owner: "a" } });
    await index.namespace(b).upsert({ id: "same", vector: atAngle(90, DIM), metadata: { owner: "b" } });
    const hits = await index.namespace(b).query({ vector: atAngle(0, DIM), topK: 10, includeMetadata: true });
    expect(hits).toHaveLength(1);
    expect(hits[0]?.metadata).toEqual({ owner: "b" });
    expect(hits[0]?.score).toBeCloseTo(0.5, 6);
    expect(await index.fetch(["same"])).toEqual([null]);
  });

  it("are listed, counted in info, and deleted", async () => {
    const ns = namespace("listed");
    await index.namespace(ns).upsert([1, 2, 3].map((i) => ({ id: `v${i}`, vector: atAngle(i * 10, DIM) })));
    expect(await index.listNamespaces()).toEqual(expect.arrayContaining(["", ns]));
    const info = await index.info();
    expect(info).toMatchObject({ pendingVectorCount: 0, dimension: DIM, similarityFunction: "COSINE" });
    expect(info.namespaces[ns]).toEqual({ vectorCount: 3, pendingVectorCount: 0 });
    expect(info.vectorCount).toBe(Object.values(info.namespaces).reduce((sum, n) => sum + n.vectorCount, 0));
    expect(info.indexSize).toBeGreaterThan(0);
    expect(await index.deleteNamespace(ns)).toBe("Success");
    expect(await index.listNamespaces()).not.toContain(ns);
    await expect(index.deleteNamespace(ns)).rejects.toThrow(/does not exist/);
    await expect(index.deleteNamespace("")).rejects.toThrow(/default namespace/);
  });
});

describe("fetch, delete, range, reset, update", () => {
  it("fetch answers null for missing ids, in request order, and fetches by prefix", async () => {
    const ns = index.namespace(namespace("fetch"));
    await ns.upsert([
      { id: "p-1", vector: atAngle(1, DIM), metadata: { k: 1 } },
      { id: "p-2", vector: atAngle(2, DIM) },
      { id: "q-1", vector: atAngle(3, DIM) },
    ]);
    const got = await ns.fetch(["p-2", "nope", "p-1"], { includeMetadata: true });
    expect(got).toEqual([{ id: "p-2" }, null, { id: "p-1", metadata: { k: 1 } }]);
    expect((await ns.fetch({ prefix: "p-" })).map((v) => v?.id)).toEqual(["p-1", "p-2"]);
  });

  it("deletes by ids, by prefix and by filter, counting what went", async () => {
    const ns = index.namespace(namespace("delete"));
    const ids = ["a-1", "a-2", "b-1", "b-2", "c-1", "c-2"];
    await ns.upsert(ids.map((id, i) => ({ id, vector: atAngle(i * 7, DIM), metadata: { i } })));
    expect(await ns.delete(["a-1", "missing"])).toEqual({ deleted: 1 });
    expect(await ns.delete("a-2")).toEqual({ deleted: 1 });
    expect(await ns.delete({ prefix: "b-" })).toEqual({ deleted: 2 });
    expect(await ns.delete({ filter: "i >= 5" })).toEqual({ deleted: 1 });
    expect((await ns.range({ cursor: 0, limit: 10 })).vectors.map((v) => v.id)).toEqual(["c-1"]);
  });

  it("range pages through every vector once, with and without a prefix", async () => {
    const ns = index.namespace(namespace("range"));
    const ids = Array.from({ length: 7 }, (_, i) => `r-${i}`);
    await ns.upsert([...ids.map((id, i) => ({ id, vector: atAngle(i, DIM) })), { id: "s-0", vector: atAngle(9, DIM) }]);
    const seen: string[] = [];
    let cursor: string | number = 0;
    for (let page = 0; page < 10; page++) {
      const res: { nextCursor: string; vectors: { id: string | number }[] } = await ns.range({
        cursor,
        limit: 3,
        prefix: "r-",
      });
      seen.push(...res.vectors.map((v) => String(v.id)));
      if (res.nextCursor === "") break;
      cursor = res.nextCursor;
    }
    expect(seen).toEqual(ids);
    const all = await ns.range({ cursor: "0", limit: 100, includeMetadata: true });
    expect(all.nextCursor).toBe("");
    expect(all.vectors).toHaveLength(8);
  });

  it("reset empties one namespace, or all of them", async () => {
    const [a, b] = [namespace("reset-a"), namespace("reset-b")];
    for (const ns of [a, b]) await index.namespace(ns).upsert({ id: "x", vector: atAngle(0, DIM) });
    expect(await index.reset({ namespace: a })).toBe("Success");
    expect(await index.namespace(a).fetch(["x"])).toEqual([null]);
    expect(await index.namespace(b).fetch(["x"])).toEqual([{ id: "x" }]);
    const other = await startUpstashVector({ dimensions: DIM });
    try {
      const separate = client(other);
      await separate.upsert({ id: "d", vector: atAngle(0, DIM) });
      await separate.namespace("n1").upsert({ id: "e", vector: atAngle(0, DIM) });
      expect(await separate.reset({ all: true })).toBe("Success");
      expect((await separate.info()).vectorCount).toBe(0);
    } finally {
      await other.close();
    }
  });

  it("update changes the vector, data, and metadata (overwrite or RFC 7396 patch)", async () => {
    const ns = index.namespace(namespace("update"));
    await ns.upsert({ id: "u", vector: atAngle(0, DIM), metadata: { a: 1, b: { c: 2, d: 3 } }, data: "one" });
    expect(await ns.update({ id: "u", metadata: { b: { c: null, e: 4 } }, metadataUpdateMode: "PATCH" })).toEqual({
      updated: 1,
    });
    const include = { includeMetadata: true, includeData: true };
    expect((await ns.fetch(["u"], include))[0]?.metadata).toEqual({ a: 1, b: { d: 3, e: 4 } });
    await ns.update({ id: "u", metadata: { only: true } });
    await ns.update({ id: "u", data: "two" });
    expect((await ns.fetch(["u"], include))[0]).toEqual({ id: "u", metadata: { only: true }, data: "two" });
    await ns.update({ id: "u", vector: atAngle(60, DIM) });
    const [hit] = await ns.query({ vector: atAngle(0, DIM), topK: 1 });
    expect(hit?.score).toBeCloseTo(cosineScore(60), 6);
    expect(await ns.update({ id: "ghost", data: "x" })).toEqual({ updated: 0 });
  });
});

describe("errors", () => {
  it("a wrong dimension is refused with 422 and the client throws the message", async () => {
    await expect(index.upsert({ id: "bad", vector: [1, 2, 3] })).rejects.toThrow(
      `Invalid vector dimension: 3, expected: ${DIM}`,
    );
    await expect(index.query({ vector: [1, 0], topK: 1 })).rejects.toThrow(/Invalid vector dimension/);
    const res = await raw(local, "/upsert", { id: "bad", vector: [1] });
    expect(res).toEqual({ status: 422, body: { error: `Invalid vector dimension: 1, expected: ${DIM}`, status: 422 } });
  });

  it("a batch with one bad vector writes nothing", async () => {
    const ns = index.namespace(namespace("atomic"));
    await expect(
      ns.upsert([
        { id: "good", vector: atAngle(0, DIM) },
        { id: "bad", vector: [1] },
      ]),
    ).rejects.toThrow(/dimension/);
    expect(await ns.fetch(["good"])).toEqual([null]);
  });

  it("a bad filter is a 400 the client surfaces", async () => {
    await expect(index.query({ vector: atAngle(0, DIM), topK: 1, filter: "a LIKE 'x'" })).rejects.toThrow(
      /Invalid filter/,
    );
    expect((await raw(local, "/query", { vector: atAngle(0, DIM), topK: 1, filter: "(" })).status).toBe(400);
  });

  it("zero vectors and data endpoints are refused", async () => {
    await expect(index.upsert({ id: "z", vector: new Array<number>(DIM).fill(0) })).rejects.toThrow(/Zero vector/);
    await expect(index.upsert({ id: "t", data: "text" })).rejects.toThrow(/embedding model/);
  });

  it("a wrong or missing token is a 401", async () => {
    await expect(client(local, "not-the-token").info()).rejects.toThrow(/Unauthorized/);
    expect(await raw(local, "/info", [], null)).toEqual({
      status: 401,
      body: { error: "Unauthorized: Invalid auth token", status: 401 },
    });
  });
});

describe("down", () => {
  it("setDown drops connections, which the client reports as a network error", async () => {
    local.setDown(true);
    try {
      await expect(index.info()).rejects.toThrow(/fetch failed/);
      expect((await fetch(`${local.url}/__health`)).status).toBe(503);
    } finally {
      local.setDown(false);
    }
    expect((await index.info()).dimension).toBe(DIM);
  });

  it("the control endpoints do the same over HTTP, and 503 mode is an immediate UpstashError", async () => {
    await fetch(`${local.url}/__control/down?mode=503`, { method: "POST" });
    try {
      await expect(index.info()).rejects.toThrow(/Service unavailable/);
    } finally {
      await fetch(`${local.url}/__control/up`, { method: "POST" });
    }
    expect(await (await fetch(`${local.url}/__health`)).json()).toMatchObject({ ok: true, dimensions: DIM });
  });
});

describe("defaults", () => {
  it("a default server is a 512-d COSINE index", async () => {
    const other = await startUpstashVector();
    try {
      const info = await client(other).info();
      expect(info).toMatchObject({ dimension: 512, similarityFunction: "COSINE", vectorCount: 0 });
      await client(other).upsert({ id: "x", vector: atAngle(0, 512) });
      const [hit] = await client(other).query({ vector: atAngle(30, 512), topK: 1 });
      expect(hit?.score).toBeCloseTo(cosineScore(30), 6);
    } finally {
      await other.close();
    }
  });
});
