import { messages } from "./anthropic-routes";
import { ANTHROPIC_TEST_API_KEY } from "./cloud-credentials";
import { parseDirectives } from "./directives";
import { anthropicErrorBody } from "./errors";
import { FAIL_LINE } from "./openai-batch-routes";
import type { Outcome } from "./outcome";
import type { FakeRoute, RawRequest, RouteInput } from "./route";

/**
 * Anthropic's Message Batches, as the fake upstream speaks them: `POST /anthropic/v1/messages/batches`
 * (`{requests: [{custom_id, params}]}`, each `params` checked as `/v1/messages` checks a body), `GET .../{id}`
 * (`processing_status: in_progress` for 2 polls, or N when a request's text holds `fake-polls-N`; then `ended` with a
 * `results_url`), `POST .../{id}/cancel` (`canceling`; the next poll ends it with the first request succeeded, as if
 * it had run, and the rest `canceled`), `GET .../{id}/results` (JSON Lines, in reverse order: results come in no
 * particular order). A request whose text holds `fake-fail-line` is `errored`, `fake-expire-line` is `expired`.
 * Every call needs `x-api-key` (the test key) and `anthropic-version: 2023-06-01`.
 */

export const EXPIRE_LINE = "fake-expire-line";

interface FakeMessageBatch {
  id: string;
  requests: { custom_id: string; params: Record<string, unknown> }[];
  pollsLeft: number;
  cancelled: boolean;
  createdAt: string;
  cancelAt: string | null;
  results: string[] | null;
}

const batches = new Map<string, FakeMessageBatch>();
let counter = 0;

const error = (status: number, message: string): Outcome => ({
  kind: "json",
  status,
  body: anthropicErrorBody(status, message),
});

function authenticate(raw: RawRequest): Outcome | undefined {
  if (raw.headers["x-api-key"] !== ANTHROPIC_TEST_API_KEY) return error(401, "invalid x-api-key");
  if (raw.headers["anthropic-version"] !== "2023-06-01") return error(400, "anthropic-version header is required");
  return undefined;
}

function counts(b: FakeMessageBatch) {
  const types = (b.results ?? []).map((l) => (JSON.parse(l) as { result: { type: string } }).result.type);
  const n = (type: string) => types.filter((t) => t === type).length;
  return {
    processing: b.results === null ? b.requests.length : 0,
    succeeded: n("succeeded"),
    errored: n("errored"),
    canceled: n("canceled"),
    expired: n("expired"),
  };
}

function batchObject(b: FakeMessageBatch, origin: string) {
  const ended = b.results !== null;
  return {
    id: b.id,
    type: "message_batch",
    processing_status: ended ? "ended" : b.cancelled ? "canceling" : "in_progress",
    request_counts: counts(b),
    ended_at: ended ? new Date().toISOString() : null,
    created_at: b.createdAt,
    expires_at: new Date(Date.parse(b.createdAt) + 24 * 3600 * 1000).toISOString(),
    archived_at: null,
    cancel_initiated_at: b.cancelAt,
    results_url: ended ? `${origin}/anthropic/v1/messages/batches/${b.id}/results` : null,
  };
}

function create({ body, origin = "" }: RouteInput): Outcome {
  const requests = (body as { requests?: unknown } | null)?.requests;
  if (!Array.isArray(requests) || requests.length === 0) return error(400, "requests: must be a non-empty array");
  const seen = new Set<string>();
  for (const [i, r] of requests.entries()) {
    const id = (r as { custom_id?: unknown }).custom_id;
    const params = (r as { params?: unknown }).params;
    if (typeof id !== "string" || !/^[a-zA-Z0-9_-]{1,64}$/.test(id) || seen.has(id)) {
      return error(400, `requests.${i}.custom_id: must be unique and match ^[a-zA-Z0-9_-]{1,64}$`);
    }
    seen.add(id);
    if (typeof params !== "object" || params === null) return error(400, `requests.${i}.params: required`);
    if ("stream" in params) return error(400, `requests.${i}.params.stream: not allowed in a batch`);
    // The params must be a valid Messages body: answer it once now and keep only whether it parses.
    const model = String((params as { model?: unknown }).model ?? "");
    const steering = parseDirectives({}, model);
    if (!steering.ok) return error(400, `requests.${i}.params.model: ${steering.message}`);
    const probe = messages({
      body: params,
      model,
      directives: steering.value.directives,
      query: new URLSearchParams(),
      seq: 0,
    });
    if (probe.kind === "json" && probe.status !== 200) return error(400, `requests.${i}.params: invalid`);
  }
  const text = JSON.stringify(requests);
  counter += 1;
  const b: FakeMessageBatch = {
    id: `msgbatch_fake_${counter}`,
    requests: requests as FakeMessageBatch["requests"],
    pollsLeft: Number(/fake-polls-(\d+)/.exec(text)?.[1] ?? 2),
    cancelled: false,
    createdAt: new Date().toISOString(),
    cancelAt: null,
    results: null,
  };
  batches.set(b.id, b);
  return { kind: "json", status: 200, body: batchObject(b, origin) };
}

/** Runs every request as `/v1/messages` would answer it (per-request usage), or fails it by its marker. */
function run(b: FakeMessageBatch, seq: number): string[] {
  return b.requests.map((r, i) => {
    const text = JSON.stringify(r.params);
    const line = (result: unknown) => JSON.stringify({ custom_id: r.custom_id, result });
    if (b.cancelled && i > 0) return line({ type: "canceled" });
    if (text.includes(EXPIRE_LINE)) return line({ type: "expired" });
    const steering = parseDirectives({}, String(r.params.model ?? ""));
    if (text.includes(FAIL_LINE) || !steering.ok || steering.value.directives.status !== undefined) {
      const status = steering.ok ? (steering.value.directives.status ?? 500) : 400;
      return line({ type: "errored", error: anthropicErrorBody(status, `fake request failure ${status}`) });
    }
    const { model, directives } = steering.value;
    const answer = messages({ body: r.params, model, directives, query: new URLSearchParams(), seq: seq * 1000 + i });
    return line({ type: "succeeded", message: answer.kind === "json" ? answer.body : null });
  });
}

function retrieve({ pathParam, seq, origin = "" }: RouteInput): Outcome {
  const b = batches.get(pathParam ?? "");
  if (b === undefined) return error(404, "no such message batch");
  if (b.results === null) {
    if (b.pollsLeft > 0 && !b.cancelled) b.pollsLeft -= 1;
    else b.results = run(b, seq).reverse();
  }
  return { kind: "json", status: 200, body: batchObject(b, origin) };
}

function cancel({ pathParam, origin = "" }: RouteInput): Outcome {
  const b = batches.get(pathParam ?? "");
  if (b === undefined) return error(404, "no such message batch");
  if (b.results === null && !b.cancelled) {
    b.cancelled = true;
    b.cancelAt = new Date().toISOString();
  }
  return { kind: "json", status: 200, body: batchObject(b, origin) };
}

function results({ pathParam }: RouteInput): Outcome {
  const b = batches.get(pathParam ?? "");
  if (b?.results == null) return error(404, "no results for this message batch");
  return { kind: "text", status: 200, contentType: "application/binary", body: `${b.results.join("\n")}\n` };
}

const route = (method: "GET" | "POST", pattern: RegExp, handle: FakeRoute["handle"]): FakeRoute => ({
  dialect: "anthropic",
  method,
  pattern,
  modelFrom: "none",
  authenticate,
  handle,
});

export const anthropicBatchRoutes: FakeRoute[] = [
  route("POST", /^\/anthropic\/v1\/messages\/batches$/, create),
  route("GET", /^\/anthropic\/v1\/messages\/batches\/([^/]+)$/, retrieve),
  { ...route("POST", /^\/anthropic\/v1\/messages\/batches\/([^/]+)\/cancel$/, cancel), bodyless: true },
  route("GET", /^\/anthropic\/v1\/messages\/batches\/([^/]+)\/results$/, results),
];
