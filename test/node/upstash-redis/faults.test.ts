import { Redis } from "@upstash/redis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type LocalUpstashRedis,
  startRedisServer,
  startUpstashFront,
  startUpstashRedis,
} from "../../servers/upstash-redis";
import { client, control, key, raw } from "./helpers";

let local: LocalUpstashRedis;

beforeAll(async () => {
  local = await startUpstashRedis({ token: "fault-test-token" });
});

afterEach(async () => {
  local.front.setDown(false);
  if (local.redis.pid === undefined) await local.redis.restart();
});

afterAll(async () => {
  await local.close();
});

describe("auth", () => {
  it("a wrong token is rejected with 401 and a JSON error the client surfaces", async () => {
    const wrong = new Redis({ url: local.url, token: "not-the-token", retry: false, enableTelemetry: false });
    await expect(wrong.get(key("auth"))).rejects.toThrow(/WRONGPASS/);
    const res = await raw(local, "/", ["PING"], { token: "not-the-token" });
    expect(res).toMatchObject({ status: 401, body: { error: expect.any(String) } });
    expect((await raw(local, "/pipeline", [["PING"]], { token: null })).status).toBe(401);
  });
});

describe("front down", () => {
  it("setDown drops connections: the client call fails with a network error when retries are off", async () => {
    const redis = client(local);
    local.front.setDown(true);
    await expect(redis.get(key("down"))).rejects.toThrow(/fetch failed/);
    local.front.setDown(false);
    expect(await redis.set(key("up"), "v")).toBe("OK");
  });

  it("a dropped connection is what the client retries", async () => {
    let attempts = 0;
    const redis = new Redis({
      url: local.url,
      token: local.token,
      enableTelemetry: false,
      retry: {
        retries: 3,
        // The first retry brings the front back, so the outcome cannot depend on timing.
        backoff: () => {
          attempts += 1;
          local.front.setDown(false);
          return 0;
        },
      },
    });
    local.front.setDown(true);
    expect(await redis.incr(key("retried"))).toBe(1);
    expect(attempts).toBe(1);
  });

  it("503 mode answers with a JSON error that the client surfaces at once", async () => {
    const redis = client(local);
    local.front.setDown(true, "503");
    await expect(redis.get(key("503"))).rejects.toThrow(/unavailable/);
  });

  it("control endpoints toggle the fault over HTTP, and health follows", async () => {
    const redis = client(local);
    expect((await fetch(`${local.url}/__health`)).status).toBe(200);
    expect(await (await control(local.url, "down")).json()).toEqual({ down: true, mode: "drop" });
    await expect(redis.get(key("ctl"))).rejects.toThrow();
    expect((await fetch(`${local.url}/__health`)).status).toBe(503);
    expect((await control(local.url, "up")).status).toBe(200);
    expect(await redis.set(key("ctl"), 1)).toBe("OK");
    expect((await control(local.url, "nonsense")).status).toBe(404);
  });
});

describe("redis restarts", () => {
  it("restart-redis keeps the data (AOF) and the front reconnects", async () => {
    const redis = client(local);
    const k = key("durable");
    await redis.hset(k, { a: 1, b: "two" });
    const before = local.redis.pid;
    const res = await control(local.url, "restart-redis");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ redis: "restarted" });
    expect(local.redis.pid).not.toBe(before);
    expect(await redis.hgetall(k)).toEqual({ a: 1, b: "two" });
  });

  it("while redis is stopped, commands fail with 503 and health says so; a restart recovers", async () => {
    const redis = client(local);
    const k = key("stopped");
    await redis.set(k, "kept");
    expect((await control(local.url, "stop-redis")).status).toBe(200);
    const res = await raw(local, "/", ["GET", k]);
    expect(res).toMatchObject({ status: 503, body: { error: expect.stringMatching(/redis unavailable/) } });
    await expect(redis.get(k)).rejects.toThrow(/redis unavailable/);
    expect((await fetch(`${local.url}/__health`)).status).toBe(503);
    expect((await control(local.url, "restart-redis")).status).toBe(200);
    expect(await redis.get(k)).toBe("kept");
  });

  it("RedisProcess.restart on its own keeps the port and the data", async () => {
    const proc = await startRedisServer();
    try {
      const port = proc.port;
      const front = await startUpstashFront({ redis: proc, token: "t" });
      try {
        const redis = client(front);
        await redis.set("survives", "yes");
        await proc.restart();
        expect(proc.port).toBe(port);
        expect(await redis.get("survives")).toBe("yes");
        expect((await control(front.url, "restart-redis")).status).toBe(404);
      } finally {
        await front.close();
      }
    } finally {
      await proc.dispose();
    }
  });
});

describe("startRedisServer without redis-server", () => {
  it("says how to install it", async () => {
    const path = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      await expect(startRedisServer()).rejects.toThrow(/apt-get install -y redis-server/);
    } finally {
      process.env.PATH = path;
    }
  });
});
