import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { closeServer, isOpen, listen, parseJson, readBody } from "../../../local/http";
import { type Command, isBlocking, type Parsed, parseCommand, parseCommands } from "./commands";
import type { RedisProcess } from "./redis-process";
import { entriesJson, entryJson, errorJson, type ResponseEncoding } from "./reply-json";
import { createRespClient, RespConnectionError, RespError, type RespValue } from "./resp";

/**
 * An Upstash-Redis-REST-compatible HTTP front over a real Redis, for `@upstash/redis` in tests: `POST /` (one
 * command), `POST /pipeline`, `POST /multi-exec`, bearer token, `Upstash-Encoding: base64`. Without auth, from
 * loopback only: `GET /__health` and `POST /__control/{down,up,stop-redis,restart-redis,lose-replies,delay,spawn}` so
 * tests running inside workerd can inject faults over HTTP.
 */

/**
 * How a down front fails requests. `drop` (default) destroys the socket without a response: fetch throws, which is the
 * only failure `@upstash/redis` retries (it throws at once on any HTTP error status). `503` answers
 * `503 {"error": ...}`, which the client surfaces immediately as an UpstashError.
 */
export type DownMode = "drop" | "503";

export interface UpstashFront {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string;
  readonly token: string;
  /** While down, every non-control request fails as `mode` says; `/__health` answers 503. */
  setDown(down: boolean, mode?: DownMode): void;
  close(): Promise<void>;
}

export interface UpstashFrontOptions {
  redis: { host: string; port: number };
  token: string;
  port?: number;
  /** Enables `/__control/stop-redis` and `/__control/restart-redis`. */
  process?: RedisProcess;
  /**
   * Enables `POST /__control/spawn[?name=...]`: starts another redis-server with a front of its own and answers its
   * `{url, token}` (a name already spawned answers the same instance). Tests that inject faults use one, so their
   * faults never reach tests sharing this front, and theirs never reach them.
   */
  spawn?: (name?: string) => Promise<{ url: string; token: string }>;
}

const HOST = "127.0.0.1";
const BODY_LIMIT_BYTES = 16 * 1024 * 1024;
const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

type Reply = { status: number; body: string };

function sendText(res: ServerResponse, reply: Reply): void {
  if (!isOpen(res) || res.headersSent) return;
  res.writeHead(reply.status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(reply.body)),
  });
  res.end(reply.body);
}

const json = (status: number, body: unknown): Reply => ({ status, body: JSON.stringify(body) });
const failure = (status: number, message: string): Reply => ({ status, body: errorJson(message) });

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header ?? "", "utf8");
  const expected = Buffer.from(`Bearer ${token}`, "utf8");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function encodingOf(req: IncomingMessage): ResponseEncoding {
  return String(req.headers["upstash-encoding"] ?? "").toLowerCase() === "base64" ? "base64" : "utf8";
}

export async function startUpstashFront(opts: UpstashFrontOptions): Promise<UpstashFront> {
  const redis = createRespClient(opts.redis);
  let downMode: DownMode | undefined;
  /** Requests still to be executed with their reply lost (`/__control/lose-replies`). */
  let loseReplies = 0;
  /** Milliseconds every API reply waits before it is sent (`/__control/delay?ms=N`): a store far away. */
  let replyDelayMs = 0;

  /** Blocking commands get a connection of their own so they cannot stall everyone else's. */
  async function send(commands: readonly Command[]): Promise<RespValue[]> {
    if (!commands.some(isBlocking)) return redis.send(commands);
    const own = createRespClient(opts.redis);
    try {
      return await own.send(commands);
    } finally {
      own.close();
    }
  }

  async function execute(path: string, body: unknown, encoding: ResponseEncoding): Promise<Reply> {
    if (path === "/") {
      const command = parseCommand(body);
      if (!command.ok) return failure(400, command.error);
      const [reply = null] = await send([command.value]);
      return { status: reply instanceof RespError ? 400 : 200, body: entryJson(reply, encoding) };
    }
    const commands: Parsed<Command[]> = parseCommands(body);
    if (!commands.ok) return failure(400, commands.error);
    if (path === "/pipeline") {
      return { status: 200, body: entriesJson(await send(commands.value), encoding) };
    }
    // One write on one connection keeps MULTI ... EXEC contiguous. A command refused at queue time makes EXEC fail
    // with EXECABORT: the whole transaction is one 400 error; errors at run time are per-command entries.
    const replies = await send([["MULTI"], ...commands.value, ["EXEC"]]);
    const exec = replies[replies.length - 1] ?? null;
    if (exec instanceof RespError) return failure(400, exec.message);
    if (!Array.isArray(exec)) return failure(400, "EXECABORT Transaction aborted");
    return { status: 200, body: entriesJson(exec, encoding) };
  }

  async function api(req: IncomingMessage, path: string): Promise<Reply> {
    if (path !== "/" && path !== "/pipeline" && path !== "/multi-exec") return failure(404, `ERR unknown path ${path}`);
    if (req.method !== "POST") return failure(405, "ERR only POST is supported");
    if (!tokenMatches(req.headers.authorization, opts.token)) {
      return failure(401, "WRONGPASS invalid or missing auth token");
    }
    const raw = await readBody(req, BODY_LIMIT_BYTES);
    if (!raw.ok) return failure(raw.reason === "too_large" ? 413 : 400, `ERR request body ${raw.reason}`);
    const body = parseJson(raw.text);
    if (!body.ok) return failure(400, "ERR failed to parse request body as JSON");
    try {
      return await execute(path, body.value, encodingOf(req));
    } catch (error) {
      if (error instanceof RespConnectionError) return failure(503, `ERR redis unavailable: ${error.message}`);
      throw error;
    }
  }

  async function health(): Promise<Reply> {
    if (downMode !== undefined) return json(503, { ok: false, down: true });
    try {
      await redis.send([["PING"]]);
      return json(200, { ok: true, down: false });
    } catch (error) {
      return json(503, { ok: false, down: false, redis: error instanceof Error ? error.message : String(error) });
    }
  }

  async function control(req: IncomingMessage, url: URL): Promise<Reply> {
    if (!LOOPBACK.has(req.socket.remoteAddress ?? "")) return failure(403, "control endpoints are loopback only");
    if (req.method !== "POST") return failure(405, "control endpoints take POST");
    const action = url.pathname.slice("/__control/".length);
    if (action === "down") {
      downMode = url.searchParams.get("mode") === "503" ? "503" : "drop";
      return json(200, { down: true, mode: downMode });
    }
    if (action === "up") {
      downMode = undefined;
      return json(200, { down: false });
    }
    if (action === "lose-replies") {
      const count = Number(url.searchParams.get("count") ?? "1");
      if (!Number.isInteger(count) || count < 0 || count > 1000) return failure(400, "count must be an integer 0-1000");
      loseReplies = count;
      return json(200, { loseReplies });
    }
    if (action === "delay") {
      const ms = Number(url.searchParams.get("ms") ?? "0");
      if (!Number.isInteger(ms) || ms < 0 || ms > 10_000) return failure(400, "ms must be an integer 0-10000");
      replyDelayMs = ms;
      return json(200, { delayMs: replyDelayMs });
    }
    if (action === "spawn") {
      if (opts.spawn === undefined) return failure(404, "this front cannot spawn instances");
      const name = url.searchParams.get("name") ?? undefined;
      if (name !== undefined && !/^[\w.-]{1,64}$/.test(name))
        return failure(400, "name must be 1-64 of [A-Za-z0-9_.-]");
      return json(200, await opts.spawn(name));
    }
    if (action !== "restart-redis" && action !== "stop-redis") return failure(404, `unknown control ${action}`);
    if (opts.process === undefined) return failure(404, "this front was started without a redis process");
    if (action === "stop-redis") await opts.process.stop();
    else await opts.process.restart();
    return json(200, { redis: action === "stop-redis" ? "stopped" : "restarted", pid: opts.process.pid ?? null });
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://front.invalid");
    if (url.pathname.startsWith("/__control/")) return sendText(res, await control(req, url));
    if (url.pathname === "/__health" && req.method === "GET") return sendText(res, await health());
    if (downMode === "drop") {
      req.socket.destroy();
      return;
    }
    if (downMode === "503") return sendText(res, failure(503, "ERR service unavailable (front is down)"));
    if (loseReplies > 0) {
      // The command runs, then the connection dies before the reply: the client cannot tell whether it ran.
      loseReplies -= 1;
      await api(req, url.pathname);
      req.socket.destroy();
      return;
    }
    const reply = await api(req, url.pathname);
    if (replyDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, replyDelayMs));
    sendText(res, reply);
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      sendText(res, failure(500, `ERR front failure: ${error instanceof Error ? error.message : String(error)}`));
    });
  });
  const url = await listen(server, opts.port ?? 0, HOST);

  return {
    url,
    token: opts.token,
    setDown(down, mode = "drop") {
      downMode = down ? mode : undefined;
    },
    async close() {
      redis.close();
      await closeServer(server);
    },
  };
}
