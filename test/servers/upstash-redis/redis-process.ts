import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A real `redis-server` child on 127.0.0.1, with an append-only file fsynced on every write in its own directory, so
 * `restart()` (same port, same dir) brings the data back the way a managed Redis survives a failover.
 */
export interface RedisProcess {
  readonly host: string;
  readonly port: number;
  /** Data directory (the AOF lives in `appendonlydir/` below it). */
  readonly dir: string;
  /** pid of the current child; changes on restart, undefined while stopped. */
  readonly pid: number | undefined;
  /** SIGTERM (AOF is already fsynced), then waits for the exit. Idempotent. */
  stop(): Promise<void>;
  /** stop, then start again on the same port and dir; resolves once it answers PING (AOF loaded). */
  restart(): Promise<void>;
  /** stop, and remove the data directory when it was a temp dir created here. */
  dispose(): Promise<void>;
}

const HOST = "127.0.0.1";
const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

/** Children still running when the test process exits would outlive it and keep their ports. */
const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

function ensureInstalled(): void {
  const probe = spawnSync("redis-server", ["--version"], { stdio: "ignore" });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(
      "redis-server is not on PATH; install it with `sudo apt-get install -y redis-server` (tests need a real Redis)",
    );
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, HOST, () => {
      const addr = srv.address();
      const port = addr !== null && typeof addr === "object" ? addr.port : 0;
      srv.close(() => (port > 0 ? resolve(port) : reject(new Error("no free port"))));
    });
  });
}

/** One raw PING; true only on `+PONG` (a Redis still loading its AOF answers `-LOADING`). */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: HOST, port });
    let data = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk: Buffer) => {
      data += chunk.toString("latin1");
      if (data.includes("\r\n")) done(data.startsWith("+PONG"));
    });
    socket.once("error", () => done(false));
  });
}

function redisArgs(port: number, dir: string): string[] {
  return [
    "--port",
    String(port),
    "--bind",
    HOST,
    "--protected-mode",
    "yes",
    "--dir",
    dir,
    "--save",
    "",
    "--appendonly",
    "yes",
    "--appendfsync",
    "always",
    "--daemonize",
    "no",
    "--logfile",
    "",
  ];
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    child.once("exit", () => resolve());
  });
}

async function spawnReady(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn("redis-server", redisArgs(port, dir), { stdio: ["ignore", "pipe", "pipe"] });
  live.add(child);
  let log = "";
  const keepLog = (chunk: Buffer) => {
    log = (log + chunk.toString("utf8")).slice(-4_000);
  };
  child.stdout?.on("data", keepLog);
  child.stderr?.on("data", keepLog);
  let spawnError: Error | undefined;
  child.once("error", (err) => {
    spawnError = err;
  });
  child.once("exit", () => live.delete(child));

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (spawnError !== undefined || child.exitCode !== null || child.signalCode !== null) {
      live.delete(child);
      throw new Error(`redis-server exited before it was ready (port ${port}): ${spawnError?.message ?? ""}\n${log}`);
    }
    if (await ping(port)) return child;
    await new Promise((r) => setTimeout(r, 25));
  }
  child.kill("SIGKILL");
  await exited(child);
  throw new Error(`redis-server did not answer PING within ${READY_TIMEOUT_MS} ms (port ${port})\n${log}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  const done = exited(child);
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
  await done;
  clearTimeout(timer);
  live.delete(child);
}

export async function startRedisServer(opts: { dir?: string; port?: number } = {}): Promise<RedisProcess> {
  ensureInstalled();
  const ownsDir = opts.dir === undefined;
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), "upstash-redis-")));

  // A port picked by the kernel can be taken again before redis binds it; a fresh pick usually fixes that.
  let child: ChildProcess | undefined;
  let port = opts.port ?? 0;
  for (let attempt = 0; child === undefined; attempt++) {
    if (opts.port === undefined) port = await freePort();
    try {
      child = await spawnReady(port, dir);
    } catch (error) {
      if (opts.port !== undefined || attempt >= 2) {
        if (ownsDir) await rm(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }

  let current: ChildProcess | undefined = child;
  const stop = async (): Promise<void> => {
    const running = current;
    current = undefined;
    if (running !== undefined) await stopChild(running);
  };
  return {
    host: HOST,
    port,
    dir,
    get pid() {
      return current?.pid;
    },
    stop,
    async restart() {
      await stop();
      current = await spawnReady(port, dir);
    },
    async dispose() {
      await stop();
      if (ownsDir) await rm(dir, { recursive: true, force: true });
    },
  };
}
