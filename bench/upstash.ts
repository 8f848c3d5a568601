/**
 * The Upstash ledger's store for the bench: a real redis-server plus the Upstash-REST front the tests use
 * (test/servers/upstash-redis), in a Node process of its own. Forked by the bench (bench/processes.ts), like the
 * upstream, so the front does not share the load generator's event loop and its CPU can be read from /proc apart
 * from the gateway's. Redis keeps its data in the directory given as the first argument (emptied by the bench).
 */
import { startUpstashRedis } from "../test/servers/upstash-redis";

export interface UpstashReady {
  url: string;
  token: string;
  /** redis-server's pid, for CPU accounting (the front is this process). */
  redisPid: number;
}

if (process.send) {
  const send = process.send.bind(process);
  const dir = process.argv[2];
  startUpstashRedis(dir === undefined ? {} : { dir }).then(
    (local) => {
      const ready: UpstashReady = { url: local.url, token: local.token, redisPid: local.redis.pid ?? -1 };
      send(ready);
      // Exit with the parent; the bench also kills this process group (redis-server included) when it ends.
      process.on("disconnect", () => {
        void local.close().finally(() => process.exit(0));
      });
    },
    (error: unknown) => {
      // One line: the bench shows the end of this log as the reason the Upstash row did not run.
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
}
