import { startUpstashFront, type UpstashFront } from "./front";
import { type RedisProcess, startRedisServer } from "./redis-process";

export type { DownMode, UpstashFront, UpstashFrontOptions } from "./front";
export { startUpstashFront } from "./front";
export type { RedisProcess } from "./redis-process";
export { startRedisServer } from "./redis-process";

export interface LocalUpstashRedis {
  /** REST URL for `new Redis({ url, token })`. */
  url: string;
  token: string;
  redis: RedisProcess;
  front: UpstashFront;
  /** Closes the front, stops Redis and removes its temp data dir (unless `dir` was given). */
  close(): Promise<void>;
}

export const DEFAULT_UPSTASH_TOKEN = "local-upstash-token";

/** Instances one front may spawn over its lifetime (`/__control/spawn`): a bound, not a pool. */
const MAX_SPAWNED = 32;

/** A real redis-server plus the REST front over it, wired so `/__control/restart-redis` works. */
export async function startUpstashRedis(
  opts: { token?: string; port?: number; redisPort?: number; dir?: string } = {},
): Promise<LocalUpstashRedis> {
  const redis = await startRedisServer({
    ...(opts.dir === undefined ? {} : { dir: opts.dir }),
    ...(opts.redisPort === undefined ? {} : { port: opts.redisPort }),
  });
  const token = opts.token ?? DEFAULT_UPSTASH_TOKEN;
  // Named instances are reused (a test file asks for the same one on every run); unnamed ones are always new.
  const spawned = new Map<string, LocalUpstashRedis>();
  const spawn = async (name?: string) => {
    const key = name ?? `#${spawned.size}`;
    let child = spawned.get(key);
    if (child === undefined) {
      if (spawned.size >= MAX_SPAWNED) throw new Error(`at most ${MAX_SPAWNED} spawned instances`);
      child = await startUpstashRedis({ token });
      spawned.set(key, child);
    }
    return { url: child.url, token };
  };
  let front: UpstashFront;
  try {
    front = await startUpstashFront({
      redis: { host: redis.host, port: redis.port },
      token,
      process: redis,
      spawn,
      ...(opts.port === undefined ? {} : { port: opts.port }),
    });
  } catch (error) {
    await redis.dispose();
    throw error;
  }
  return {
    url: front.url,
    token,
    redis,
    front,
    async close() {
      const children = [...spawned.values()];
      spawned.clear();
      await Promise.all(children.map((child) => child.close()));
      await front.close();
      await redis.dispose();
    },
  };
}
