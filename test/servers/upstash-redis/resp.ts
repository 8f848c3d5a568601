import { createConnection, type Socket } from "node:net";

/**
 * A minimal RESP2 client. Replies come back raw, exactly as Redis sent them: no command-specific reshaping (the
 * pitfall of npm Redis clients, which turn HGETALL into objects), so the REST front can base64 the real bytes.
 */

/** An error reply (`-ERR ...`), kept as a value because inside pipelines and EXEC it is just one result among many. */
export class RespError {
  constructor(readonly message: string) {}
}

/** The connection to Redis broke (or never opened) before the reply arrived. */
export class RespConnectionError extends Error {
  override name = "RespConnectionError";
}

/**
 * Bulk and simple strings are Buffers; integers are numbers, or bigints beyond 2^53 so the front can write their exact
 * digits into JSON (what Upstash does; precision is then lost only in the JSON reader, as with the real service).
 */
export type RespValue = Buffer | number | bigint | null | RespError | RespValue[];

export type RespArg = string | Buffer;

export interface RespClient {
  /**
   * Writes every command in one go on one connection, so nothing else interleaves (MULTI ... EXEC stays contiguous)
   * and resolves with one reply per command. Rejects with RespConnectionError if the connection drops meanwhile.
   */
  send(commands: readonly (readonly RespArg[])[]): Promise<RespValue[]>;
  close(): void;
}

export function encodeCommand(args: readonly RespArg[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`, "latin1")];
  for (const arg of args) {
    const bytes = typeof arg === "string" ? Buffer.from(arg, "utf8") : arg;
    parts.push(Buffer.from(`$${bytes.length}\r\n`, "latin1"), bytes, Buffer.from("\r\n", "latin1"));
  }
  return Buffer.concat(parts);
}

type Parsed = { value: RespValue; next: number } | undefined;

class RespProtocolError extends Error {}

function toInteger(text: string): number | bigint {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

/** Parses one reply starting at `at`; undefined when the buffer does not hold all of it yet. */
export function parseReply(buf: Buffer, at: number): Parsed {
  const eol = buf.indexOf("\r\n", at, "latin1");
  if (eol < 0) return undefined;
  const line = buf.toString("latin1", at + 1, eol);
  const after = eol + 2;
  switch (buf[at]) {
    case 0x2b: // +
      return { value: Buffer.from(buf.subarray(at + 1, eol)), next: after };
    case 0x2d: // -
      return { value: new RespError(buf.toString("utf8", at + 1, eol)), next: after };
    case 0x3a: // :
      return { value: toInteger(line), next: after };
    case 0x24: {
      // $
      const len = Number(line);
      if (len < 0) return { value: null, next: after };
      if (buf.length < after + len + 2) return undefined;
      return { value: Buffer.from(buf.subarray(after, after + len)), next: after + len + 2 };
    }
    case 0x2a: {
      // *
      const count = Number(line);
      if (count < 0) return { value: null, next: after };
      const items: RespValue[] = [];
      let next = after;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, next);
        if (item === undefined) return undefined;
        items.push(item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new RespProtocolError(`unexpected RESP type byte ${String(buf[at])}`);
  }
}

interface Pending {
  resolve(value: RespValue): void;
  reject(error: Error): void;
}

/** One socket and its FIFO of awaited replies; once it dies it stays dead and the client opens a new one. */
class Connection {
  readonly socket: Socket;
  private buffer: Buffer = Buffer.alloc(0);
  private readonly pending: Pending[] = [];
  dead = false;

  constructor(host: string, port: number) {
    this.socket = createConnection({ host, port });
    this.socket.setNoDelay(true);
    this.socket.on("data", (chunk: Buffer) => this.onData(chunk));
    this.socket.on("error", (err) => this.fail(`connection to redis ${host}:${port} failed: ${err.message}`));
    this.socket.on("close", () => this.fail(`connection to redis ${host}:${port} closed`));
  }

  send(commands: readonly (readonly RespArg[])[]): Promise<RespValue[]> {
    if (this.dead) return Promise.reject(new RespConnectionError("connection to redis is closed"));
    const replies = commands.map(
      () => new Promise<RespValue>((resolve, reject) => this.pending.push({ resolve, reject })),
    );
    this.socket.write(Buffer.concat(commands.map(encodeCommand)));
    return Promise.all(replies);
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    let at = 0;
    try {
      for (;;) {
        if (at >= this.buffer.length) break;
        const parsed = parseReply(this.buffer, at);
        if (parsed === undefined) break;
        at = parsed.next;
        const waiter = this.pending.shift();
        if (waiter === undefined) throw new RespProtocolError("reply without a pending command");
        waiter.resolve(parsed.value);
      }
    } catch (error) {
      this.fail(error instanceof Error ? error.message : String(error));
      return;
    }
    this.buffer = this.buffer.subarray(at);
  }

  fail(reason: string): void {
    this.dead = true;
    this.socket.destroy();
    for (const waiter of this.pending.splice(0)) waiter.reject(new RespConnectionError(reason));
  }
}

/**
 * One persistent connection, opened lazily and reopened on the next command after it drops (e.g. a Redis restart).
 * Commands in flight on the dropped connection fail: they may or may not have run, and retrying is the caller's call.
 */
export function createRespClient(target: { host: string; port: number }): RespClient {
  let conn: Connection | undefined;
  let closed = false;
  return {
    send(commands) {
      if (closed) return Promise.reject(new RespConnectionError("client closed"));
      if (commands.length === 0) return Promise.resolve([]);
      if (conn === undefined || conn.dead) conn = new Connection(target.host, target.port);
      return conn.send(commands);
    },
    close() {
      closed = true;
      conn?.fail("client closed");
    },
  };
}
