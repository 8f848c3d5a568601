/**
 * The cache bench's upstream: OpenAI-compatible chat completions that answer after UPSTREAM_DELAY_MS (a model that
 * takes 50 ms), and embeddings that answer at once with the lexical embedder of local/embeddings.ts (256 dims), so
 * near-paraphrases land close together. It runs in its own Node process (forked by bench/cache.ts).
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { embedText } from "../local/embeddings";
import { readBody } from "./read-body";

export const UPSTREAM_DELAY_MS = 50;
const OUTPUT_TOKENS = 64;
const PROMPT_TOKENS = 9;
const TEXT = Array.from({ length: OUTPUT_TOKENS }, (_, i) => `tok${i} `).join("");
const USAGE = {
  prompt_tokens: PROMPT_TOKENS,
  completion_tokens: OUTPUT_TOKENS,
  total_tokens: PROMPT_TOKENS + OUTPUT_TOKENS,
};

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function chat(body: Record<string, unknown>, res: ServerResponse): void {
  const model = typeof body.model === "string" ? body.model : "bench";
  const base = { id: "chatcmpl-cache-bench", created: Math.floor(Date.now() / 1000), model };
  if (body.stream !== true) {
    const choices = [{ index: 0, message: { role: "assistant", content: TEXT }, finish_reason: "stop" }];
    send(res, 200, "application/json", JSON.stringify({ ...base, object: "chat.completion", choices, usage: USAGE }));
    return;
  }
  const chunk = (choices: unknown[], usage?: unknown) =>
    `data: ${JSON.stringify({ ...base, object: "chat.completion.chunk", choices, ...(usage ? { usage } : {}) })}\n\n`;
  const frames = [
    chunk([{ index: 0, delta: { role: "assistant", content: TEXT }, finish_reason: null }]),
    chunk([{ index: 0, delta: {}, finish_reason: "stop" }]),
    chunk([], USAGE),
    "data: [DONE]\n\n",
  ];
  send(res, 200, "text/event-stream", frames.join(""));
}

function embeddings(body: Record<string, unknown>, res: ServerResponse): void {
  const input = Array.isArray(body.input) ? body.input : [body.input];
  const data = input.map((text, index) => ({ object: "embedding", index, embedding: embedText(String(text)) }));
  const usage = { prompt_tokens: input.length * 8, total_tokens: input.length * 8 };
  send(res, 200, "application/json", JSON.stringify({ object: "list", data, model: "local-lexical", usage }));
}

export function startCacheUpstream(delayMs = UPSTREAM_DELAY_MS): Promise<{ url: string }> {
  const server = createServer({ noDelay: true, keepAliveTimeout: 60_000 }, (req, res) => {
    void readBody(req).then((raw) => {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        send(res, 400, "application/json", '{"error":{"message":"not JSON"}}');
        return;
      }
      if (req.url?.endsWith("/embeddings")) embeddings(body, res);
      else if (req.url?.endsWith("/chat/completions")) setTimeout(() => chat(body, res), delayMs);
      else send(res, 404, "application/json", '{"error":{"message":"no route"}}');
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
  });
}

// Forked by bench/cache.ts: report the URL over IPC, and exit with the parent.
if (process.send) {
  const report = process.send.bind(process);
  void startCacheUpstream().then((server) => report({ url: server.url }));
  process.on("disconnect", () => process.exit(0));
}
