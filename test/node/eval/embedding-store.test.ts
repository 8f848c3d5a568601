import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openEmbeddingStore, textKey } from "../../../scripts/eval/embedding-store";

const dirs: string[] = [];
const fresh = () => {
  const dir = mkdtempSync(join(tmpdir(), "eval-store-"));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

// A fake embedder: a 3-d vector from the text length, recording what it was asked.
function fakeEmbed(calls: string[][]) {
  return async (texts: string[]) => {
    calls.push(texts);
    return texts.map((t) => [t.length, 1, -1]);
  };
}

describe("embedding store", () => {
  it("embeds only missing texts, once each, and returns stored rows", async () => {
    const store = openEmbeddingStore(fresh(), 3, 2);
    const calls: string[][] = [];
    expect(await store.fill(["a", "bb", "a", "ccc"], fakeEmbed(calls))).toBe(3);
    expect(calls).toEqual([["a", "bb"], ["ccc"]]);
    expect(Array.from(store.get("ccc") ?? [])).toEqual([3, 1, -1]);
    expect(store.get("zz")).toBeUndefined();
    expect(await store.fill(["a", "bb", "dddd"], fakeEmbed(calls))).toBe(1);
    expect(calls[2]).toEqual(["dddd"]);
  });

  it("persists across reopenings", async () => {
    const dir = fresh();
    await openEmbeddingStore(dir, 3).fill(["hello", "world!"], fakeEmbed([]));
    const again = openEmbeddingStore(dir, 3);
    expect(Array.from(again.get("world!") ?? [])).toEqual([6, 1, -1]);
    const calls: string[][] = [];
    expect(await again.fill(["hello"], fakeEmbed(calls))).toBe(0);
    expect(calls).toEqual([]);
  });

  it("cuts a torn tail back to whole rows on open", async () => {
    const dir = fresh();
    await openEmbeddingStore(dir, 3).fill(["x", "yy"], fakeEmbed([]));
    appendFileSync(join(dir, "vectors.f32"), new Uint8Array(5)); // half a row
    appendFileSync(join(dir, "keys.txt"), `${textKey("zzz")}\n`); // a key without its row
    const store = openEmbeddingStore(dir, 3);
    expect(statSync(join(dir, "vectors.f32")).size).toBe(2 * 3 * 4);
    expect(readFileSync(join(dir, "keys.txt"), "utf8").trim().split("\n")).toHaveLength(2);
    expect(store.get("zzz")).toBeUndefined();
    expect(Array.from(store.get("yy") ?? [])).toEqual([2, 1, -1]);
  });

  it("refuses vectors of the wrong size", async () => {
    const store = openEmbeddingStore(fresh(), 4);
    await expect(store.fill(["a"], async () => [[1, 2, 3]])).rejects.toThrow(/3 dimensions/);
  });
});
