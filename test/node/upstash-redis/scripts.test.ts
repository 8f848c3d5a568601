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

/** Calls per command and how many of them failed, from Redis's own statistics (`INFO commandstats`). */
async function calls(command: "eval" | "evalsha"): Promise<{ calls: number; failed: number }> {
  const res = await raw(local, "/", ["INFO", "commandstats"]);
  const text = (res.body as { result: string }).result;
  const match = new RegExp(`^cmdstat_${command}:calls=(\\d+),.*failed_calls=(\\d+)`, "m").exec(text);
  return { calls: Number(match?.[1] ?? 0), failed: Number(match?.[2] ?? 0) };
}

describe("Lua scripts through the front", () => {
  it("createScript().exec: EVALSHA gets NOSCRIPT, the client falls back to EVAL once, then EVALSHA works", async () => {
    const script = redis.createScript<number>("return redis.call('INCRBY', KEYS[1], ARGV[1])");
    const k = key("script-counter");
    expect(await raw(local, "/", ["CONFIG", "RESETSTAT"])).toMatchObject({ status: 200 });

    expect(await script.exec([k], ["5"])).toBe(5);
    expect(await calls("evalsha")).toEqual({ calls: 1, failed: 1 });
    expect(await calls("eval")).toEqual({ calls: 1, failed: 0 });

    expect(await script.exec([k], ["5"])).toBe(10);
    expect(await calls("evalsha")).toEqual({ calls: 2, failed: 1 });
    expect(await calls("eval")).toEqual({ calls: 1, failed: 0 });
  });

  it("the NOSCRIPT error passes through verbatim", async () => {
    const res = await raw(local, "/", ["EVALSHA", "0".repeat(40), 0]);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: expect.stringMatching(/^NOSCRIPT /) });
  });

  it("SCRIPT LOAD then EVALSHA", async () => {
    const sha = await redis.scriptLoad("return ARGV[1] .. '!'");
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(await redis.evalsha(sha, [], ["hi"])).toBe("hi!");
  });

  it("keys and args reach the script", async () => {
    const k = key("args");
    expect(await redis.eval("return {KEYS[1], ARGV[1], ARGV[2]}", [k], ["a", "b"])).toEqual([k, "a", "b"]);
  });

  it("nested arrays, integers and nil come back in shape", async () => {
    const script = redis.createScript("return {1, 'two', {3, false, {'four'}}, false, -5}");
    expect(await script.exec([], [])).toEqual([1, "two", [3, null, ["four"]], null, -5]);
    expect(await redis.eval("return 42", [], [])).toBe(42);
    expect(await redis.eval("return false", [], [])).toBeNull();
    expect(await redis.eval("return {}", [], [])).toEqual([]);
  });

  it("an error reply returned by the script surfaces as an error", async () => {
    await expect(redis.eval("return redis.error_reply('MYERR custom failure')", [], [])).rejects.toThrow(
      /MYERR custom failure/,
    );
  });

  it("a failing redis.call inside the script surfaces as an error", async () => {
    const k = key("wrongtype");
    await redis.set(k, "text");
    const script = redis.createScript("return redis.call('INCR', KEYS[1])");
    await expect(script.exec([k], [])).rejects.toThrow(/not an integer/);
    await expect(redis.eval("return redis.call('HGET', KEYS[1], 'f')", [k], [])).rejects.toThrow(/WRONGTYPE/);
  });

  it("scripts are atomic and can run in a multi-exec", async () => {
    const k = key("tx-script");
    const res = await redis.multi().set(k, 1).eval("return redis.call('INCRBY', KEYS[1], 10)", [k], []).get(k).exec();
    expect(res).toEqual(["OK", 11, 11]);
  });
});
