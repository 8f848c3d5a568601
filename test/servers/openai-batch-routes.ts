import { openAiErrorBody } from "../../local/openai-wire";
import { parseDirectives } from "./directives";
import { chat } from "./openai-routes";
import type { Outcome } from "./outcome";
import type { FakeRoute, RouteInput } from "./route";

/**
 * OpenAI's Files + Batches API, as the fake upstream speaks it: `POST /v1/files` (multipart, purpose `batch`),
 * `POST /v1/batches`, `GET /v1/batches/{id}` (`in_progress` for `metadata.fake_polls` polls, default 2, then
 * `metadata.fake_status`, default `completed`), `GET /v1/files/{id}/content`. Each line of a completed batch is
 * answered as `POST /v1/chat/completions` would answer it (per-line usage); a line whose model carries a
 * `;status=NNN` directive, or whose text contains `fake-fail-line`, goes to the error file instead.
 */

/** A line whose text contains this fails with 500 (for lines whose model a gateway rewrote). */
export const FAIL_LINE = "fake-fail-line";

interface FakeBatch {
  id: string;
  inputFileId: string;
  endpoint: string;
  polls: number;
  pollsLeft: number;
  finalStatus: "completed" | "failed" | "expired" | "cancelled";
  createdAt: number;
  outputFileId: string | null;
  errorFileId: string | null;
}

const files = new Map<string, string>();
const batches = new Map<string, FakeBatch>();
let counter = 0;

function invalid(status: number, message: string): Outcome {
  return { kind: "json", status, body: openAiErrorBody(status, message) };
}

/** The `file` part of a multipart body (its boundary is the body's first line). */
function multipartFile(text: string): { content: string; purpose: string | undefined } | undefined {
  const boundary = text.slice(0, text.indexOf("\r\n"));
  if (!boundary.startsWith("--")) return undefined;
  let content: string | undefined;
  let purpose: string | undefined;
  for (const part of text.split(boundary)) {
    const split = part.indexOf("\r\n\r\n");
    if (split === -1) continue;
    const head = part.slice(0, split);
    const value = part.slice(split + 4).replace(/\r\n$/, "");
    if (/name="file"/.test(head)) content = value;
    else if (/name="purpose"/.test(head)) purpose = value;
  }
  return content === undefined ? undefined : { content, purpose };
}

function fileObject(id: string, bytes: number, purpose: string) {
  return { id, object: "file", bytes, created_at: Math.floor(Date.now() / 1000), filename: id, purpose };
}

function upload({ body }: RouteInput): Outcome {
  const file = multipartFile(typeof body === "string" ? body : "");
  if (file === undefined) return invalid(400, "expected a multipart body with a `file` part");
  if (file.purpose !== "batch") return invalid(400, "purpose must be batch");
  counter += 1;
  const id = `file-fake-${counter}`;
  files.set(id, file.content);
  return { kind: "json", status: 200, body: fileObject(id, Buffer.byteLength(file.content), "batch") };
}

function batchObject(b: FakeBatch, status: string) {
  return {
    id: b.id,
    object: "batch",
    endpoint: b.endpoint,
    input_file_id: b.inputFileId,
    completion_window: "24h",
    status,
    output_file_id: status === "completed" ? b.outputFileId : null,
    error_file_id: status === "completed" ? b.errorFileId : null,
    created_at: b.createdAt,
  };
}

function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function create({ body }: RouteInput): Outcome {
  const req = parseJsonText(typeof body === "string" ? body : "") as {
    input_file_id?: string;
    endpoint?: string;
    metadata?: Record<string, string>;
  } | null;
  if (req?.input_file_id === undefined || !files.has(req.input_file_id)) return invalid(400, "unknown input_file_id");
  if (req.endpoint !== "/v1/chat/completions") return invalid(400, "the fake runs chat completion batches only");
  const polls = Number(req.metadata?.fake_polls ?? 2);
  const finalStatus = (req.metadata?.fake_status ?? "completed") as FakeBatch["finalStatus"];
  counter += 1;
  const b: FakeBatch = {
    id: `batch_fake_${counter}`,
    inputFileId: req.input_file_id,
    endpoint: req.endpoint,
    polls,
    pollsLeft: polls,
    finalStatus,
    createdAt: Math.floor(Date.now() / 1000),
    outputFileId: null,
    errorFileId: null,
  };
  batches.set(b.id, b);
  return { kind: "json", status: 200, body: batchObject(b, "validating") };
}

/** Runs every line as a chat completion: output lines with usage, and error lines for `;status=` models. */
function run(b: FakeBatch, seq: number): void {
  const output: string[] = [];
  const errors: string[] = [];
  const lines = (files.get(b.inputFileId) ?? "").split("\n").filter((l) => l.trim() !== "");
  lines.forEach((text, i) => {
    const line = parseJsonText(text) as { custom_id?: string; body?: { model?: string } } | undefined;
    const id = `batch_req_fake_${seq}_${i}`;
    const steering = parseDirectives({}, line?.body?.model);
    const customId = line?.custom_id ?? null;
    const failLine = text.includes(FAIL_LINE);
    if (!steering.ok || steering.value.directives.status !== undefined || failLine) {
      const status = steering.ok ? (steering.value.directives.status ?? 500) : 400;
      const error = openAiErrorBody(status, `fake line failure ${status}`);
      errors.push(
        JSON.stringify({ id, custom_id: customId, response: { status_code: status, body: error }, error: null }),
      );
      return;
    }
    const { model, directives } = steering.value;
    const answer = chat({ body: line?.body, model, directives, query: new URLSearchParams(), seq: seq * 1000 + i });
    const response = answer.kind === "json" ? { status_code: answer.status, body: answer.body } : null;
    output.push(JSON.stringify({ id, custom_id: customId, response, error: null }));
  });
  if (output.length > 0) {
    b.outputFileId = `file-fake-out-${b.id}`;
    files.set(b.outputFileId, `${output.join("\n")}\n`);
  }
  if (errors.length > 0) {
    b.errorFileId = `file-fake-err-${b.id}`;
    files.set(b.errorFileId, `${errors.join("\n")}\n`);
  }
}

function retrieve({ pathParam, seq }: RouteInput): Outcome {
  const b = batches.get(pathParam ?? "");
  if (b === undefined) return invalid(404, "no such batch");
  if (b.pollsLeft > 0) {
    b.pollsLeft -= 1;
    return { kind: "json", status: 200, body: batchObject(b, "in_progress") };
  }
  if (b.finalStatus === "completed" && b.outputFileId === null && b.errorFileId === null) run(b, seq);
  return { kind: "json", status: 200, body: batchObject(b, b.finalStatus) };
}

function content({ pathParam }: RouteInput): Outcome {
  const text = files.get(pathParam ?? "");
  if (text === undefined) return invalid(404, "no such file");
  return { kind: "text", status: 200, contentType: "application/jsonl", body: text };
}

export const openAiBatchRoutes: FakeRoute[] = [
  { dialect: "openai", method: "POST", pattern: /^\/v1\/files$/, modelFrom: "none", rawBody: true, handle: upload },
  { dialect: "openai", method: "POST", pattern: /^\/v1\/batches$/, modelFrom: "none", rawBody: true, handle: create },
  {
    dialect: "openai",
    method: "GET",
    pattern: /^\/v1\/batches\/([^/]+)$/,
    modelFrom: "none",
    rawBody: true,
    handle: retrieve,
  },
  {
    dialect: "openai",
    method: "GET",
    pattern: /^\/v1\/files\/([^/]+)\/content$/,
    modelFrom: "none",
    rawBody: true,
    handle: content,
  },
];
