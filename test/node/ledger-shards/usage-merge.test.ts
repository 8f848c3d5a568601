import { describe, expect, it } from "vitest";
import {
  decodeShardCursor,
  encodeShardCursor,
  type MergedPosition,
  mergePages,
  mergeUsage,
  type ShardPage,
  shardAfter,
} from "../../../src/ledger/durable-object/usage-merge";
import type { UsageEvent } from "../../../src/ledger/types";

function ev(requestId: string, at: number): UsageEvent {
  return {
    requestId,
    at,
    tenantId: "t",
    keyId: "k",
    inputTokens: 0,
    outputTokens: 0,
    cost: 0,
    cache: "none",
    latencyMs: 0,
    status: 200,
    policyVersion: "p",
    flags: [],
  };
}

describe("mergeUsage", () => {
  it("orders by time, newest first, then by shard, keeping each shard's own order", () => {
    const merged = mergeUsage(
      [
        [ev("a2", 20), ev("a1", 10)],
        [ev("b3", 30), ev("b2", 20), ev("b2x", 20)],
      ],
      10,
    );
    expect(merged.map((e) => e.requestId)).toEqual(["b3", "a2", "b2", "b2x", "a1"]);
  });
  it("takes at most limit", () => {
    expect(mergeUsage([[ev("a", 3), ev("b", 1)], [ev("c", 2)]], 2).map((e) => e.requestId)).toEqual(["a", "c"]);
  });
});

const page = (shard: string, ats: number[], more = false): ShardPage => ({
  events: ats.map((at, i) => ({ event: ev(`${shard}${at}`, at), at, id: 100 - i })),
  more,
});

describe.each<[string, ShardPage[], number, string[], MergedPosition | undefined]>([
  [
    "more in a shard: the last taken event is the position",
    [page("a", [9, 8], true), page("b", [1])],
    2,
    ["a9", "a8"],
    { at: 8, shard: 0, id: 99 },
  ],
  ["more fetched than taken", [page("a", [9, 5]), page("b", [7])], 2, ["a9", "b7"], { at: 7, shard: 1, id: 100 }],
  [
    "everything taken and no shard has more: no position",
    [page("a", [9, 5]), page("b", [7])],
    3,
    ["a9", "b7", "a5"],
    undefined,
  ],
  [
    "equal times: the lower shard first",
    [page("a", [5]), page("b", [5, 4])],
    2,
    ["a5", "b5"],
    { at: 5, shard: 1, id: 100 },
  ],
])("mergePages: %s", (_name, pages, limit, events, last) => {
  it("takes the first events of the merged order", () => {
    const merged = mergePages(pages, limit);
    expect(merged.events.map((e) => e.requestId)).toEqual(events);
    expect(merged.last).toEqual(last);
  });
});

describe.each<[number, { at: number; id: number }]>([
  [0, { at: 50, id: 0 }],
  [1, { at: 50, id: 7 }],
  [2, { at: 50, id: Number.MAX_SAFE_INTEGER }],
])("shardAfter(at 50, shard 1, id 7) for shard %i", (shard, expected) => {
  it("continues after the position in the merged order (at desc, shard asc, id desc)", () =>
    expect(shardAfter({ at: 50, shard: 1, id: 7 }, shard)).toEqual(expected));
});

describe("shard cursors", () => {
  it("round-trip", () => {
    const p = { at: 1_700_000_000_000, shard: 2, id: 42 };
    expect(decodeShardCursor(encodeShardCursor(3, p), 3)).toEqual(p);
  });
  it.each(["d1.1.2", "d2.3.1.0.1", "d2.2.1.2.1", "d2.2.1.x.1", "d2.2.1.1", "garbage"])(
    "refuse %j for 2 shards",
    (c) => {
      expect(decodeShardCursor(c, 2)).toBeUndefined();
    },
  );
});
