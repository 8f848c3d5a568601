/**
 * OpenAI's own Batch API as a provider capability (`ProviderPreset.batchApi`): upload the items as a JSONL file
 * (purpose `batch`), create the batch, poll it, and read its output and error files. Nothing here bills or routes;
 * the caller admits and settles each item through the ledger and decides when to poll.
 */
import { GatewayError } from "../errors";
import { batchApiFetch, batchLines } from "./batch-api";
import type { ProviderBatchApi, ProviderBatchLine } from "./types";

const RUNNING = new Set(["validating", "in_progress", "finalizing", "cancelling"]);
const ENDED = new Set(["failed", "expired", "cancelled"]);

async function json(res: Response): Promise<Record<string, unknown>> {
  const body: unknown = await res.json().catch(() => undefined);
  if (typeof body !== "object" || body === null) {
    throw new GatewayError("upstream_bad_response", "The provider's batch API answered something other than JSON.");
  }
  return body as Record<string, unknown>;
}

function stringField(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== "string" || value === "") {
    throw new GatewayError("upstream_bad_response", `The provider's batch API answer has no \`${field}\`.`);
  }
  return value;
}

function fileIdOrNull(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

function parseLine(text: string): ProviderBatchLine {
  const line = JSON.parse(text) as {
    custom_id?: unknown;
    response?: { status_code?: unknown; body?: unknown } | null;
    error?: { message?: unknown } | null;
  };
  if (typeof line.custom_id !== "string") {
    throw new GatewayError("upstream_bad_response", "A provider batch line has no custom_id.");
  }
  const status = typeof line.response?.status_code === "number" ? line.response.status_code : 500;
  if (line.response != null && status === 200 && line.error == null) {
    return { customId: line.custom_id, ok: true, body: line.response.body };
  }
  const body = line.response?.body as { error?: { message?: unknown } } | undefined;
  const message = line.error?.message ?? body?.error?.message;
  return {
    customId: line.custom_id,
    ok: false,
    status,
    message: typeof message === "string" ? message : `The provider failed this item (${status}).`,
  };
}

/** OpenAI's batch endpoints, by the path below the base URL the adapter built the request for. */
const ENDPOINTS: Record<string, string> = {
  "/chat/completions": "/v1/chat/completions",
  "/embeddings": "/v1/embeddings",
};

function endpointOf(path: string): string {
  const endpoint = ENDPOINTS[path];
  if (endpoint === undefined) {
    throw new GatewayError("invalid_request", `The provider's batch API does not take ${path} requests.`);
  }
  return endpoint;
}

export const openAiBatchApi: ProviderBatchApi = {
  inputLine(customId, request) {
    return JSON.stringify({ custom_id: customId, method: "POST", url: endpointOf(request.path), body: request.body });
  },
  async submit(provider, fetch, lines, path, metadata) {
    const jsonl = lines.join("\n");
    const endpoint = endpointOf(path);
    const form = new FormData();
    form.append("purpose", "batch");
    form.append("file", new Blob([jsonl], { type: "application/jsonl" }), "batch.jsonl");
    const uploaded = await json(
      await batchApiFetch(
        provider,
        fetch,
        new Request(`${provider.baseUrl}/files`, {
          method: "POST",
          headers: provider.headers,
          body: form,
        }),
      ),
    );
    const created = await json(
      await batchApiFetch(
        provider,
        fetch,
        new Request(`${provider.baseUrl}/batches`, {
          method: "POST",
          headers: { ...provider.headers, "content-type": "application/json" },
          body: JSON.stringify({
            input_file_id: stringField(uploaded, "id"),
            endpoint,
            completion_window: "24h",
            ...(metadata == null ? {} : { metadata }),
          }),
        }),
      ),
    );
    return stringField(created, "id");
  },
  async status(provider, fetch, batchId) {
    const url = `${provider.baseUrl}/batches/${encodeURIComponent(batchId)}`;
    const body = await json(await batchApiFetch(provider, fetch, new Request(url, { headers: provider.headers })));
    const status = stringField(body, "status");
    if (RUNNING.has(status)) return { state: "running" };
    const results = [fileIdOrNull(body.output_file_id), fileIdOrNull(body.error_file_id)].filter((id) => id !== null);
    // A cancelled batch keeps the results of what ran before it stopped.
    if (status === "completed" || (status === "cancelled" && results.length > 0)) {
      return { state: "completed", results };
    }
    if (ENDED.has(status)) return { state: status as "failed" | "expired" | "cancelled" };
    throw new GatewayError("upstream_bad_response", `The provider's batch has an unknown status "${status}".`);
  },
  async cancel(provider, fetch, batchId) {
    const url = `${provider.baseUrl}/batches/${encodeURIComponent(batchId)}/cancel`;
    await (
      await batchApiFetch(provider, fetch, new Request(url, { method: "POST", headers: provider.headers }))
    ).body?.cancel();
  },
  async lines(provider, fetch, fileId) {
    const url = `${provider.baseUrl}/files/${encodeURIComponent(fileId)}/content`;
    const res = await batchApiFetch(provider, fetch, new Request(url, { headers: provider.headers }));
    return batchLines(res, parseLine);
  },
};
