import type { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalUpstashRedis, startUpstashRedis } from "../../servers/upstash-redis";
import { client, key, raw } from "./helpers";

let local: LocalUpstashRedis;
let redis: Redis;

beforeAll(async () => {
  local = await startUpstashRedis();
  redis = client(local);
});

afterAll(async () => {
  await local.close();
});

describe("official @upstash/redis client against the local front", () => {
  it("set / get / del", async () => {
    const k = key("str");
    expect(await redis.set(k, "hello")).toBe("OK");
    expect(await redis.get(k)).toBe("hello");
    expect(await redis.del(k)).toBe(1);
    expect(await redis.get(k)).toBeNull();
  });

  it("set with options and numbers as arguments", async () => {
    const k = key("ttl");
    expect(await redis.set(k, "v", { ex: 100 })).toBe("OK");
    const ttl = await redis.ttl(k);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(100);
    expect(await redis.set(k, "other", { nx: true })).toBeNull();
  });

  it("incr / incrby / decr", async () => {
    const k = key("counter");
    expect(await redis.incr(k)).toBe(1);
    expect(await redis.incrby(k, 41)).toBe(42);
    expect(await redis.decr(k)).toBe(41);
    expect(await redis.incrbyfloat(k, 0.5)).toBe(41.5);
  });

  it("hset / hget / hgetall returns an object", async () => {
    const k = key("hash");
    expect(await redis.hset(k, { name: "ada", age: 36 })).toBe(2);
    expect(await redis.hget(k, "name")).toBe("ada");
    expect(await redis.hgetall(k)).toEqual({ name: "ada", age: 36 });
    expect(await redis.hgetall(key("missing"))).toBeNull();
  });

  it("zadd / zrange with scores / zscore", async () => {
    const k = key("zset");
    expect(await redis.zadd(k, { score: 2.5, member: "b" }, { score: 1, member: "a" })).toBe(2);
    expect(await redis.zrange(k, 0, -1)).toEqual(["a", "b"]);
    expect(await redis.zrange(k, 0, -1, { withScores: true })).toEqual(["a", 1, "b", 2.5]);
    expect(await redis.zscore(k, "b")).toBe(2.5);
  });

  it("lists", async () => {
    const k = key("list");
    expect(await redis.rpush(k, "x", "y")).toBe(2);
    expect(await redis.lpush(k, "w")).toBe(3);
    expect(await redis.lrange(k, 0, -1)).toEqual(["w", "x", "y"]);
    expect(await redis.lpop(k)).toBe("w");
    expect(await redis.llen(k)).toBe(2);
  });

  it("json values via automatic deserialization", async () => {
    const k = key("json");
    const value = { id: 7, tags: ["a", "b"], nested: { ok: true, none: null } };
    await redis.set(k, value);
    expect(await redis.get(k)).toEqual(value);
    const [a, b] = await redis.mget<[typeof value, null]>(k, key("missing"));
    expect(a).toEqual(value);
    expect(b).toBeNull();
  });

  it("multi-byte UTF-8 (and NUL) strings round-trip through base64", async () => {
    const k = key("utf8");
    const text = "h\u00e9llo \u4e16\u754c \u{1F30D} \u0000 end";
    await redis.set(k, text);
    expect(await redis.get(k)).toBe(text);
    expect(await redis.strlen(k)).toBe(Buffer.byteLength(text));
  });

  it("auto-pipelining: many concurrent commands, results in order", async () => {
    const k = key("auto");
    const results = await Promise.all(Array.from({ length: 50 }, () => redis.incr(k)));
    expect(results).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const reads = await Promise.all([redis.get(k), redis.exists(k), redis.type(k)]);
    expect(reads).toEqual([50, 1, "string"]);
  });

  it("an error in an auto-pipelined batch only fails its own command", async () => {
    const k = key("auto-err");
    await redis.set(k, "not a number");
    const [good, bad] = await Promise.allSettled([redis.get(k), redis.hget(k, "f")]);
    expect(good).toEqual({ status: "fulfilled", value: "not a number" });
    expect(bad.status).toBe("rejected");
    expect(bad.status === "rejected" ? String(bad.reason) : "").toMatch(/WRONGTYPE/);
  });

  it("explicit pipeline(): results per command, errors kept or thrown", async () => {
    const k = key("pipe");
    const ok = await redis.pipeline().set(k, 1).incr(k).get(k).exec();
    expect(ok).toEqual(["OK", 2, 2]);
    const kept = await redis.pipeline().set(k, "x").incr(k).get(k).exec({ keepErrors: true });
    expect(kept[0]).toEqual({ error: undefined, result: "OK" });
    expect(kept[1]?.error).toMatch(/not an integer/);
    expect(kept[2]).toEqual({ error: undefined, result: "x" });
    await expect(redis.pipeline().set(k, "x").incr(k).exec()).rejects.toThrow(/Command 2 \[ incr \] failed/);
  });

  it("multi(): atomic results; a run-time error fails that command only", async () => {
    const k = key("multi");
    expect(await redis.multi().set(k, 10).incrby(k, 5).get(k).exec()).toEqual(["OK", 15, 15]);
    await expect(redis.multi().set(k, "x").incr(k).exec()).rejects.toThrow(/Command 2 \[ incr \] failed/);
    expect(await redis.get(k)).toBe("x");
  });
});

describe("wire format", () => {
  it("base64 encodes the raw bytes, recursively; numbers and null stay as they are", async () => {
    const k = key("bin");
    // Non-UTF-8 bytes can only be made inside Redis: JSON requests always carry valid UTF-8.
    const lua =
      "redis.call('SET', KEYS[1], string.char(0, 255, 254, 128, 10)); return {redis.call('GET', KEYS[1]), 7, false}";
    const res = await raw(local, "/", ["EVAL", lua, 1, k], { base64: true });
    expect(res).toMatchObject({ status: 200, body: { result: ["AP/+gAo=", 7, null] } });
    const range = await raw(
      local,
      "/pipeline",
      [
        ["SET", k, "\u00e9"],
        ["GETRANGE", k, 0, 0],
        ["GET", key("none")],
      ],
      {
        base64: true,
      },
    );
    expect(range.body).toEqual([{ result: "T0s=" }, { result: "ww==" }, { result: null }]);
  });

  it("without Upstash-Encoding, strings are plain UTF-8", async () => {
    const k = key("plain");
    const res = await raw(local, "/pipeline", [
      ["SET", k, "\u00e9t\u00e9"],
      ["GET", k],
      ["HGETALL", key("none")],
    ]);
    expect(res.body).toEqual([{ result: "OK" }, { result: "\u00e9t\u00e9" }, { result: [] }]);
  });

  it("HGETALL and ZRANGE WITHSCORES stay flat RESP2 arrays", async () => {
    const h = key("flat");
    await raw(local, "/", ["HSET", h, "f", "v"]);
    expect((await raw(local, "/", ["HGETALL", h])).body).toEqual({ result: ["f", "v"] });
  });

  it("integers beyond 2^53 keep their exact digits in the JSON text", async () => {
    const k = key("big");
    const res = await raw(local, "/", ["INCRBY", k, "1152921504606846977"]);
    expect(res.text).toBe('{"result":1152921504606846977}');
  });

  it("errors: 400 with the Redis message verbatim; pipelines answer 200 with per-command entries", async () => {
    const single = await raw(local, "/", ["NOSUCHCOMMAND", "x"]);
    expect(single.status).toBe(400);
    expect(single.body).toEqual({ error: expect.stringMatching(/^ERR unknown command/) });
    const pipe = await raw(local, "/pipeline", [["PING"], ["INCR"]], { base64: true });
    expect(pipe.status).toBe(200);
    expect(pipe.body).toEqual([{ result: "UE9ORw==" }, { error: expect.stringMatching(/wrong number of arguments/) }]);
  });

  it("multi-exec: a command refused at queue time discards the whole transaction with one 400 error", async () => {
    const k = key("abort");
    const res = await raw(local, "/multi-exec", [
      ["SET", k, "1"],
      ["SET", "only-a-key"],
    ]);
    expect(res).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^EXECABORT/) } });
    expect((await raw(local, "/", ["GET", k])).body).toEqual({ result: null });
  });

  it("malformed bodies and connection-state commands are refused", async () => {
    expect((await raw(local, "/", { not: "an array" })).status).toBe(400);
    expect((await raw(local, "/", [])).status).toBe(400);
    expect((await raw(local, "/", ["SET", "k", { nested: 1 }])).status).toBe(400);
    expect((await raw(local, "/pipeline", [["GET", "k"], "GET"])).status).toBe(400);
    for (const name of ["MULTI", "SUBSCRIBE", "SELECT", "SHUTDOWN"]) {
      const res = await raw(local, "/", [name, "1"]);
      expect(res).toMatchObject({ status: 400, body: { error: expect.stringContaining("not available") } });
    }
    expect((await raw(local, "/", ["PING"])).body).toEqual({ result: "PONG" });
  });

  it("blocking commands run on a connection of their own", async () => {
    const k = key("blocking");
    const blocked = raw(local, "/", ["BLPOP", k, 5]);
    expect((await raw(local, "/", ["RPUSH", k, "item"])).body).toEqual({ result: 1 });
    expect((await blocked).body).toEqual({ result: [k, "item"] });
  });
});
