import type { IncomingMessage, Server, ServerResponse } from "node:http";

export type BodyResult = { ok: true; text: string } | { ok: false; reason: "too_large" | "aborted" };

/** Reads the whole request body, refusing more than `limitBytes` so a bad client cannot exhaust memory. */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (r: BodyResult) => {
      if (settled) return;
      settled = true;
      resolve(r);
    };
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        settle({ ok: false, reason: "too_large" });
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => settle({ ok: true, text: Buffer.concat(chunks).toString("utf8") }));
    req.on("error", () => settle({ ok: false, reason: "aborted" }));
    req.on("aborted", () => settle({ ok: false, reason: "aborted" }));
  });
}

export type JsonParse = { ok: true; value: unknown } | { ok: false };

export function parseJson(text: string): JsonParse {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

export function isOpen(res: ServerResponse): boolean {
  return !res.destroyed && !res.writableEnded;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (!isOpen(res) || res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

export function startSse(res: ServerResponse, headers: Record<string, string> = {}): void {
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
    ...headers,
  });
  // Without this, small SSE writes wait for Nagle's algorithm and streaming looks bursty.
  res.socket?.setNoDelay(true);
}

/** Resolves once the bytes are handed to the kernel, so a delay or a socket teardown comes after them. */
export function writeAndFlush(res: ServerResponse, data: string | Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    if (!isOpen(res)) {
      resolve();
      return;
    }
    res.write(data, () => resolve());
  });
}

export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

/** Listens on a loopback port (0 = any free one) and returns the base URL without a trailing slash. */
/**
 * Idle keep-alive lifetime of every local server, as long as hosted APIs' load balancers keep theirs. Node's default
 * (5 s) races the client's connection pool: a connection the gateway's runtime pooled during one burst is closed by
 * the server just as the next burst reuses it, and those requests fail with "Network connection lost".
 */
const KEEP_ALIVE_MS = 65_000;

export function listen(server: Server, port: number, host: string): Promise<string> {
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1000;
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      const addr = server.address();
      if (addr === null || typeof addr === "string") {
        reject(new Error("server has no TCP address"));
        return;
      }
      resolve(`http://${host}:${addr.port}`);
    });
  });
}

/** Stops accepting, then drops keep-alive and in-flight connections so `close` never hangs on a slow stream. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
