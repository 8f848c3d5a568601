/**
 * Anthropic's Message Batches as a provider capability (`ProviderPreset.batchApi`): create a batch of Messages
 * requests (`{custom_id, params}`), poll its `processing_status`, cancel it, and read its results from its
 * `results_url` (JSON Lines, in no particular order). `params` is exactly the body the Anthropic adapter sends
 * interactively (`anthropicRequestBody`, reached through the adapter), so a batch item is translated once, one way.
 * Nothing here bills or routes.
 */
import { GatewayError } from "../errors";
import { batchApiFetch, batchLines } from "./batch-api";
import type { Fetch, ProviderBatchApi, ProviderBatchLine, ResolvedProvider } from "./types";

/** Anthropic's error types and the HTTP status each stands for (docs: API errors). */
const ERROR_STATUS: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529,
};

const base = (provider: ResolvedProvider) => provider.baseUrl.replace(/\/+$/, "");

function call(provider: ResolvedProvider, fetch: Fetch, url: string, init: RequestInit = {}) {
  const request = new Request(url, { ...init, headers: { ...provider.headers, ...(init.headers ?? {}) } });
  return batchApiFetch(provider, fetch, request);
}

async function batchOf(res: Response): Promise<{ id: string; status: string; resultsUrl: string | null }> {
  const body = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  const id = body?.id;
  const status = body?.processing_status;
  if (typeof id !== "string" || id === "" || typeof status !== "string") {
    throw new GatewayError("upstream_bad_response", "The provider's batch API answered something other than a batch.");
  }
  return { id, status, resultsUrl: typeof body?.results_url === "string" ? body.results_url : null };
}

function parseLine(text: string): ProviderBatchLine {
  const line = JSON.parse(text) as {
    custom_id?: unknown;
    result?: { type?: unknown; message?: unknown; error?: { type?: unknown; message?: unknown; error?: unknown } };
  };
  if (typeof line.custom_id !== "string") {
    throw new GatewayError("upstream_bad_response", "A provider batch result has no custom_id.");
  }
  const customId = line.custom_id;
  const result = line.result;
  if (result?.type === "succeeded") return { customId, ok: true, body: result.message };
  if (result?.type === "canceled" || result?.type === "expired") {
    const message = `The provider's batch ${result.type === "canceled" ? "cancelled" : "expired"} this request before it ran.`;
    return { customId, ok: false, status: 0, message, outcome: result.type };
  }
  // An errored result carries an error response (`{type: "error", error: {type, message}}`).
  const inner = (result?.error?.error ?? result?.error) as { type?: unknown; message?: unknown } | undefined;
  const status = typeof inner?.type === "string" ? (ERROR_STATUS[inner.type] ?? 500) : 500;
  const message = typeof inner?.message === "string" ? inner.message : `The provider failed this item (${status}).`;
  return { customId, ok: false, status, message };
}

export const anthropicBatchApi: ProviderBatchApi = {
  inputLine(customId, request) {
    if (request.path !== "/messages") {
      throw new GatewayError("invalid_request", "The provider's message batches take chat requests only.");
    }
    return JSON.stringify({ custom_id: customId, params: request.body });
  },
  async submit(provider, fetch, lines) {
    // The lines are already JSON: joined, not parsed and re-serialised.
    const res = await call(provider, fetch, `${base(provider)}/messages/batches`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: `{"requests":[${lines.join(",")}]}`,
    });
    return (await batchOf(res)).id;
  },
  async status(provider, fetch, batchId) {
    const url = `${base(provider)}/messages/batches/${encodeURIComponent(batchId)}`;
    const batch = await batchOf(await call(provider, fetch, url));
    if (batch.status === "in_progress" || batch.status === "canceling") return { state: "running" };
    if (batch.status !== "ended") {
      throw new GatewayError("upstream_bad_response", `The provider's batch has an unknown status "${batch.status}".`);
    }
    if (batch.resultsUrl === null) {
      throw new GatewayError("upstream_bad_response", "The provider's batch ended without a results_url.");
    }
    return { state: "completed", results: [batch.resultsUrl] };
  },
  async cancel(provider, fetch, batchId) {
    const url = `${base(provider)}/messages/batches/${encodeURIComponent(batchId)}/cancel`;
    await (await call(provider, fetch, url, { method: "POST" })).body?.cancel();
  },
  async lines(provider, fetch, resultsUrl) {
    // The credential goes only where the provider's own API lives: a results_url on another origin is refused.
    if (URL.canParse(resultsUrl) === false || new URL(resultsUrl).origin !== new URL(base(provider)).origin) {
      throw new GatewayError("upstream_bad_response", "The provider's batch results_url is not on its API's origin.");
    }
    const res = await call(provider, fetch, resultsUrl);
    return batchLines(res, parseLine);
  },
};
