/**
 * The bench upstream: an OpenAI-compatible chat completions server on loopback that answers at once, so every
 * millisecond the benchmark sees is spent in the client, the network stack or the Worker in between.
 *
 * It runs in its own Node process (forked by the bench, see `startUpstreamProcess`), so the load generator and the
 * upstream do not share one event loop, and the upstream's CPU per request can be read from /proc like workerd's.
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readBody } from "./read-body";

export const OUTPUT_TOKENS = 64;
export const PROMPT_TOKENS = 9;
/** A message whose content starts with this gets its stream chunks spread out in time (see SPREAD_DELAY_MS). */
export const SPREAD_MARKER = "bench-spread-chunks";
/** Gap between stream chunks when spreading: 64 chunks take ~130 ms, long enough to tell buffering from streaming. */
export const SPREAD_DELAY_MS = 2;
/** Path of the upstream's own request counter, outside /v1 so no gateway route ever reaches it. */
export const STATS_PATH = "/__bench/stats";

const TOKENS = Array.from({ length: OUTPUT_TOKENS }, (_, i) => `tok${i} `);
/** What every answer says; the bench checks a target's answer against it to prove it came from this upstream. */
export const COMPLETION_TEXT = TOKENS.join("");
const ID = "chatcmpl-bench-upstream";
const USAGE = {
  prompt_tokens: PROMPT_TOKENS,
  completion_tokens: OUTPUT_TOKENS,
  total_tokens: PROMPT_TOKENS + OUTPUT_TOKENS,
};

function jsonCompletion(model: string): string {
  return JSON.stringify({
    id: ID,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: "assistant", content: COMPLETION_TEXT }, finish_reason: "stop" }],
    usage: USAGE,
  });
}

function sseEvents(model: string): string[] {
  const created = Math.floor(Date.now() / 1000);
  const base = { id: ID, object: "chat.completion.chunk", created, model };
  const events = TOKENS.map((content, i) => ({
    ...base,
    choices: [
      {
        index: 0,
        delta: i === 0 ? { role: "assistant", content } : { content },
        finish_reason: i === TOKENS.length - 1 ? "stop" : null,
      },
    ],
  }));
  const lines = events.map((event) => `data: ${JSON.stringify(event)}\n\n`);
  lines.push(`data: ${JSON.stringify({ ...base, choices: [], usage: USAGE })}\n\n`);
  lines.push("data: [DONE]\n\n");
  return lines;
}

interface ParsedBody {
  model: string;
  stream: boolean;
  spread: boolean;
}

function parseBody(raw: string): ParsedBody | undefined {
  try {
    const body: unknown = JSON.parse(raw);
    if (typeof body !== "object" || body === null) return undefined;
    const { model, stream, messages } = body as { model?: unknown; stream?: unknown; messages?: unknown };
    const first: unknown = Array.isArray(messages) ? messages[0] : undefined;
    const content = typeof first === "object" && first !== null ? (first as { content?: unknown }).content : undefined;
    return {
      model: typeof model === "string" ? model : "bench-model",
      stream: stream === true,
      spread: typeof content === "string" && content.startsWith(SPREAD_MARKER),
    };
  } catch {
    return undefined;
  }
}

function writeStream(res: ServerResponse, lines: string[], spread: boolean): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  if (!spread) {
    for (const line of lines) res.write(line);
    res.end();
    return;
  }
  let next = 0;
  const tick = () => {
    const line = lines[next++];
    if (line === undefined || res.destroyed) {
      res.end();
      return;
    }
    res.write(line);
    setTimeout(tick, SPREAD_DELAY_MS);
  };
  tick();
}

/** Width of the embeddings the upstream serves: the shipped router artifact's (policies/routers/auto.json, USE-lite). */
export const EMBEDDING_DIMS = 512;

/**
 * A deterministic unit vector per text (FNV-1a seed, xorshift32 draws): the same text always gets the same vector,
 * so a router's decision is stable across requests, and building it costs a few microseconds.
 */
function embeddingOf(text: string): number[] {
  let seed = 2166136261;
  for (let i = 0; i < text.length; i++) seed = Math.imul(seed ^ text.charCodeAt(i), 16777619) >>> 0;
  const v = new Array<number>(EMBEDDING_DIMS);
  let norm = 0;
  for (let d = 0; d < EMBEDDING_DIMS; d++) {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    seed >>>= 0;
    const x = seed / 4294967296 - 0.5;
    v[d] = x;
    norm += x * x;
  }
  const scale = 1 / Math.sqrt(norm);
  return v.map((x) => Number((x * scale).toFixed(6)));
}

const embeddingBodies = new Map<string, string>();

/** OpenAI's embeddings answer for `{model, input}` (a string or an array of strings), memoised per body. */
function embeddingsAnswer(raw: string): string | undefined {
  const cached = embeddingBodies.get(raw);
  if (cached !== undefined) return cached;
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const { model, input } = (body ?? {}) as { model?: unknown; input?: unknown };
  const texts = typeof input === "string" ? [input] : Array.isArray(input) ? input : undefined;
  if (texts === undefined || !texts.every((t) => typeof t === "string")) return undefined;
  const tokens = texts.reduce((n, t) => n + Math.max(1, Math.ceil(t.length / 4)), 0);
  const answer = JSON.stringify({
    object: "list",
    data: texts.map((t, index) => ({ object: "embedding", index, embedding: embeddingOf(t) })),
    model: typeof model === "string" ? model : "bench-embed",
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
  if (embeddingBodies.size < 1000) embeddingBodies.set(raw, answer);
  return answer;
}

function sendJson(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

export interface UpstreamServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Answers POST <anything>/chat/completions and <anything>/embeddings (any prefix, so however a gateway joins base URL
 * and path, it lands).
 */
export function startUpstream(port = 0): Promise<UpstreamServer> {
  let served = 0;
  let embedded = 0;
  const server = createServer({ noDelay: true, keepAliveTimeout: 60_000 }, (req, res) => {
    if (req.method === "GET" && req.url === STATS_PATH) {
      sendJson(res, 200, JSON.stringify({ served, embedded }));
      return;
    }
    if (req.method === "POST" && req.url?.endsWith("/embeddings")) {
      readBody(req).then((raw) => {
        const answer = embeddingsAnswer(raw);
        if (answer === undefined) {
          sendJson(res, 400, JSON.stringify({ error: { message: "bench upstream: expected {model, input}" } }));
          return;
        }
        // Not counted in `served` (chat answers only): the health check compares it with the answers a target gave.
        embedded++;
        sendJson(res, 200, answer);
      });
      return;
    }
    if (req.method !== "POST" || !req.url?.includes("/chat/completions")) {
      sendJson(res, 404, JSON.stringify({ error: { message: `bench upstream: no route ${req.method} ${req.url}` } }));
      return;
    }
    readBody(req).then((raw) => {
      const body = parseBody(raw);
      if (!body) {
        sendJson(res, 400, JSON.stringify({ error: { message: "bench upstream: body is not a JSON object" } }));
        return;
      }
      served++;
      if (body.stream) writeStream(res, sseEvents(body.model), body.spread);
      else sendJson(res, 200, jsonCompletion(body.model));
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const { port: bound } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${bound}`,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

// Forked by the bench (bench/processes.ts): report the URL over IPC, and exit with the parent.
if (process.send) {
  const send = process.send.bind(process);
  startUpstream().then((server) => send({ url: server.url }));
  process.on("disconnect", () => process.exit(0));
}
