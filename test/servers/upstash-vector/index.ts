import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { closeServer, isOpen, listen, parseJson, readBody } from "../../../local/http";
import { type IndexConfig, runCommand } from "./commands";
import { acquireEngine } from "./engine";
import { createVectorStore, type Metric } from "./store";
import { Problem } from "./validate";

/**
 * An Upstash-Vector-REST-compatible server on loopback over a real vector engine (PGlite + pgvector, HNSW index), so
 * `@upstash/vector` runs unchanged against it: `POST /<command>[/<namespace>]`, bearer token, `{"result": ...}` or
 * `{"error": "...", "status": N}` with that HTTP status. Without auth, from loopback only: `GET /__health` and
 * `POST /__control/{down,up}` so tests inside workerd can inject faults over HTTP.
 */

export type { Metric } from "./store";

/**
 * How a down server fails requests. `drop` (default) destroys the socket without a response: fetch throws, the only
 * failure `@upstash/vector` retries (note that `retry: false` still makes two attempts). `503` answers
 * `503 {"error": ...}`, which the client surfaces at once as an UpstashError.
 */
export type DownMode = "drop" | "503";

export interface UpstashVectorOptions {
  /** Vector length; 512 matches Universal Sentence Encoder lite. At most 2000 (pgvector's HNSW limit). */
  dimensions?: number;
  metric?: Metric;
  token?: string;
  /** 0 or absent: any free port. */
  port?: number;
}

export interface LocalUpstashVector {
  /** `http://127.0.0.1:PORT`, no trailing slash: `new Index({ url, token })`. */
  readonly url: string;
  readonly token: string;
  readonly dimensions: number;
  readonly metric: Metric;
  /** While down, every non-control request fails as `mode` says; `/__health` answers 503. */
  setDown(down: boolean, mode?: DownMode): void;
  /** Stops the server and drops this index's data (the shared engine closes with its last user). */
  close(): Promise<void>;
}

export const DEFAULT_UPSTASH_VECTOR_TOKEN = "local-upstash-vector-token";

const HOST = "127.0.0.1";
const BODY_LIMIT_BYTES = 64 * 1024 * 1024;
const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);
const MAX_DIMENSIONS = 2000;
const METRICS: readonly Metric[] = ["COSINE", "EUCLIDEAN", "DOT_PRODUCT"];

type Reply = { status: number; body: unknown };

const ok = (result: unknown): Reply => ({ status: 200, body: { result } });
const failure = (status: number, error: string): Reply => ({ status, body: { error, status } });

function send(res: ServerResponse, reply: Reply): void {
  if (!isOpen(res) || res.headersSent) return;
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(text)),
  });
  res.end(text);
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header ?? "", "utf8");
  const expected = Buffer.from(`Bearer ${token}`, "utf8");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** `/query/my-ns` → command `query`, namespace `my-ns`; `/query` → the default namespace `""`. */
function splitPath(pathname: string): { command: string; namespace: string } {
  const rest = pathname.replace(/^\/+/, "");
  const slash = rest.indexOf("/");
  if (slash === -1) return { command: rest, namespace: "" };
  return { command: rest.slice(0, slash), namespace: decodeURIComponent(rest.slice(slash + 1)) };
}

export async function startUpstashVector(opts: UpstashVectorOptions = {}): Promise<LocalUpstashVector> {
  const dimensions = opts.dimensions ?? 512;
  const metric = opts.metric ?? "COSINE";
  const token = opts.token ?? DEFAULT_UPSTASH_VECTOR_TOKEN;
  if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > MAX_DIMENSIONS) {
    throw new Error(`dimensions must be an integer from 1 to ${MAX_DIMENSIONS}`);
  }
  if (!METRICS.includes(metric)) throw new Error(`metric must be one of ${METRICS.join(", ")}`);
  const config: IndexConfig = { dimensions, metric };
  const lease = await acquireEngine();
  let store: Awaited<ReturnType<typeof createVectorStore>>;
  try {
    store = await createVectorStore(lease.pg, lease.schema, config);
  } catch (error) {
    await lease.release();
    throw error;
  }
  let downMode: DownMode | undefined;

  async function api(req: IncomingMessage, url: URL): Promise<Reply> {
    if (req.method !== "POST" && req.method !== "GET") return failure(405, "Only POST and GET are supported");
    if (!tokenMatches(req.headers.authorization, token)) return failure(401, "Unauthorized: Invalid auth token");
    const raw = await readBody(req, BODY_LIMIT_BYTES);
    if (!raw.ok) return failure(raw.reason === "too_large" ? 413 : 400, `Request body ${raw.reason}`);
    const body = raw.text.trim() === "" ? { ok: true as const, value: undefined } : parseJson(raw.text);
    if (!body.ok) return failure(400, "Failed to parse request body as JSON");
    let path: { command: string; namespace: string };
    try {
      path = splitPath(url.pathname);
    } catch {
      return failure(400, "Malformed namespace in path");
    }
    try {
      return ok(await runCommand(store, config, { ...path, search: url.searchParams, body: body.value }));
    } catch (error) {
      if (error instanceof Problem) return failure(error.status, error.message);
      throw error;
    }
  }

  function control(req: IncomingMessage, url: URL): Reply {
    if (!LOOPBACK.has(req.socket.remoteAddress ?? "")) return failure(403, "control endpoints are loopback only");
    if (req.method !== "POST") return failure(405, "control endpoints take POST");
    const action = url.pathname.slice("/__control/".length);
    if (action === "down") {
      downMode = url.searchParams.get("mode") === "503" ? "503" : "drop";
      return { status: 200, body: { down: true, mode: downMode } };
    }
    if (action === "up") {
      downMode = undefined;
      return { status: 200, body: { down: false } };
    }
    return failure(404, `unknown control ${action}`);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://vector.invalid");
    if (url.pathname.startsWith("/__control/")) return send(res, control(req, url));
    if (url.pathname === "/__health" && req.method === "GET") {
      const body = { ok: downMode === undefined, down: downMode !== undefined, dimensions, metric };
      return send(res, { status: downMode === undefined ? 200 : 503, body });
    }
    if (downMode === "drop") {
      req.socket.destroy();
      return;
    }
    if (downMode === "503") return send(res, failure(503, "Service unavailable (server is down)"));
    send(res, await api(req, url));
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      send(res, failure(500, `Internal error: ${error instanceof Error ? error.message : String(error)}`));
    });
  });
  let url: string;
  try {
    url = await listen(server, opts.port ?? 0, HOST);
  } catch (error) {
    await lease.release();
    throw error;
  }

  let closing: Promise<void> | undefined;
  return {
    url,
    token,
    dimensions,
    metric,
    setDown(down, mode = "drop") {
      downMode = down ? mode : undefined;
    },
    close() {
      closing ??= closeServer(server).then(() => lease.release());
      return closing;
    },
  };
}
