import { describe, expect, it } from "vitest";
import { shardAdmit, shardName, shardOf, shareOf, stableHash } from "../../../src/ledger/durable-object/shards";
import type { AdmitRequest } from "../../../src/ledger/types";

describe.each([
  // FNV-1a 32-bit reference values (the placement must never change between releases).
  ["", 0x811c9dc5],
  ["a", 0xe40c292c],
  ["foobar", 0xbf9cf968],
])("stableHash(%j)", (text, expected) => {
  it(`is ${expected.toString(16)}`, () => expect(stableHash(text)).toBe(expected));
});

describe.each([
  [10, 4, [3, 3, 2, 2]],
  [8, 4, [2, 2, 2, 2]],
  [4, 4, [1, 1, 1, 1]],
  [1_000_000, 3, [333_334, 333_333, 333_333]],
  [7, 1, [7]],
])("shareOf(%i) over %i shards", (limit, n, expected) => {
  const shares = Array.from({ length: n }, (_, i) => shareOf(limit, i, n));
  it(`is ${expected.join(", ")}`, () => expect(shares).toEqual(expected));
  it("sums to the limit exactly: the tenant total is never exceeded", () =>
    expect(shares.reduce((a, b) => a + b, 0)).toBe(limit));
});

describe("shardOf", () => {
  it("puts everything in shard 0 when there is one shard", () => {
    expect(shardOf("key-anything", 1)).toBe(0);
  });
  it("is stable and in range", () => {
    for (let i = 0; i < 200; i++) {
      const id = `key-${i}`;
      const s = shardOf(id, 4);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThan(4);
      expect(shardOf(id, 4)).toBe(s);
    }
  });
  it("spreads 4,000 random key ids within 10% of even over 4 shards", () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) {
      const s = shardOf(`key-${i}-${crypto.randomUUID()}`, 4);
      counts[s] = (counts[s] ?? 0) + 1;
    }
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(100);
  });
});

describe.each([
  [0, "acme"],
  [1, "acme#shard-1"],
  [3, "acme#shard-3"],
])("shardName(acme, %i)", (index, expected) => {
  it(`is ${expected} (shard 0 is the tenant's object from before sharding)`, () =>
    expect(shardName("acme", index)).toBe(expected));
});

const base: AdmitRequest = {
  keyId: "k1",
  tenantId: "t1",
  requestId: "r1",
  promptCost: 1,
  outputPricePerMtok: 1,
  maxOutputTokens: 10,
  minOutputTokens: 1,
  promptTokens: 1,
  limits: { key: { requests_per_minute: 5 }, tenant: { requests_per_minute: 10, tokens_per_minute: 1001 } },
  holdTtlMs: 1000,
  task: { id: "task-1", fingerprint: "fp", limits: { max_calls: 3 }, ttlMs: 1000 },
};

describe("shardAdmit", () => {
  it("leaves a one-shard admission untouched", () => expect(shardAdmit(base, 0, 1)).toBe(base));
  it("cuts tenant limits to the shard's share, keeps key limits, names the task per key", () => {
    const out = shardAdmit(base, 1, 4);
    expect(out.limits).toEqual({
      key: { requests_per_minute: 5 },
      tenant: { requests_per_minute: 3, tokens_per_minute: 250 },
    });
    expect(out.task?.id).not.toBe("task-1");
    expect(out.task?.id).toContain("k1");
    expect(shardAdmit({ ...base, keyId: "k2" }, 1, 4).task?.id).not.toBe(out.task?.id);
    expect(base.limits.tenant).toEqual({ requests_per_minute: 10, tokens_per_minute: 1001 });
  });
});
