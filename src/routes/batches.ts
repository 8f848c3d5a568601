import type { Context } from "hono";
import { z } from "zod";
import { enqueueItems, requireBatchBindings } from "../batch/bindings";
import { finalizeBatch } from "../batch/finalize";
import { newId } from "../batch/ids";
import { parseBatchFile } from "../batch/jsonl";
import { routeFor } from "../batch/schedule";
import { BATCH_ENDPOINTS, type BatchObject, type BatchOwner } from "../batch/types";
import type { AppEnv } from "../context";
import { GatewayError } from "../errors";
import { jsonBody } from "../middleware/body";

const WINDOW_S = 24 * 3600;

const CreateSchema = z.strictObject({
  input_file_id: z.string().min(1),
  endpoint: z.enum(BATCH_ENDPOINTS),
  completion_window: z.literal("24h"),
  metadata: z.record(z.string().max(64), z.string().max(512)).nullable().optional(),
});

function ownerOf(c: Context<AppEnv>): BatchOwner {
  const p = c.var.principal;
  const owner: BatchOwner = { tenantId: p.tenant.id, accountId: p.accountId, keyId: p.keyId, source: p.source };
  if (p.routes !== undefined) owner.routes = p.routes;
  if (p.tags !== undefined) owner.tags = p.tags;
  return owner;
}

/** `POST /v1/batches`: every line of the input file becomes one queued item, billed when it runs. */
export async function createBatchHandler(c: Context<AppEnv>) {
  const bindings = requireBatchBindings(c.env);
  const parsed = CreateSchema.safeParse(jsonBody(c.var.rawBody, c.req.header("content-type")));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = issue?.path.join(".") ?? null;
    throw new GatewayError("invalid_request", `${param ?? "body"}: ${issue?.message ?? "invalid"}`, { param });
  }
  const req = parsed.data;
  const { principal, services } = c.var;
  const tenantId = principal.tenant.id;
  const file = await bindings.files.head(tenantId, req.input_file_id);
  if (file === undefined || file.purpose !== "batch") {
    throw new GatewayError("invalid_request", `${JSON.stringify(req.input_file_id)} is not a batch input file.`, {
      param: "input_file_id",
    });
  }
  const items = parseBatchFile((await bindings.files.text(tenantId, file.id)) ?? "");
  if (!items.ok) {
    throw new GatewayError("invalid_request", `Line ${items.line} of the input file: ${items.message}.`, {
      param: "input_file_id",
    });
  }
  const url = items.items[0]?.url;
  if (url !== req.endpoint) {
    throw new GatewayError("invalid_request", `endpoint is ${req.endpoint}, but the file's requests are for ${url}.`, {
      param: "endpoint",
    });
  }
  const now = Math.floor(services.now() / 1000);
  const batch: BatchObject = {
    id: newId("batch_"),
    object: "batch",
    endpoint: req.endpoint,
    errors: null,
    input_file_id: file.id,
    completion_window: "24h",
    status: "in_progress",
    output_file_id: null,
    error_file_id: null,
    created_at: now,
    in_progress_at: now,
    expires_at: now + WINDOW_S,
    finalizing_at: null,
    completed_at: null,
    failed_at: null,
    expired_at: null,
    cancelling_at: null,
    cancelled_at: null,
    request_counts: { total: items.items.length, completed: 0, failed: 0 },
    metadata: req.metadata ?? null,
  };
  const routes = items.items.map((item) => routeFor(services.policy, principal.tenant, item.model)?.name ?? "");
  const store = bindings.batches(tenantId);
  await store.create(batch, ownerOf(c), items.items, routes);
  try {
    // A route with `batch.via: provider` sends the whole batch to its provider's batch API: one job message.
    const via = services.policy.routes[routes[0] ?? ""]?.batch?.via;
    if (via === "provider" && routes.every((r) => r === routes[0])) {
      await bindings.queue.send({ tenantId, batchId: batch.id, index: 0, job: {} }, { contentType: "json" });
    } else {
      await enqueueItems(bindings.queue, tenantId, batch.id, items.items.length);
    }
  } catch (err) {
    console.error(`[${c.var.requestId}] batch ${batch.id}: enqueueing its items failed`, err);
    const { finalize } = await store.abandon(batch.id, services.now());
    if (finalize) await finalizeBatch(bindings, tenantId, batch.id, services.now());
    throw new GatewayError("batch_unavailable", "The batch queue refused the batch's items; it was cancelled. Retry.", {
      headers: { "retry-after": "5" },
    });
  }
  return c.json(batch);
}

async function batchOrNotFound(c: Context<AppEnv>, found: BatchObject | null): Promise<Response> {
  if (found === null) {
    throw new GatewayError("not_found", `No batch ${JSON.stringify(c.req.param("id"))}.`, { param: "batch_id" });
  }
  return c.json(found);
}

/** `GET /v1/batches/{id}`. */
export async function getBatchHandler(c: Context<AppEnv>) {
  const bindings = requireBatchBindings(c.env);
  return batchOrNotFound(c, await bindings.batches(c.var.principal.tenant.id).get(c.req.param("id") ?? ""));
}

/** `POST /v1/batches/{id}/cancel`: items not started end unrun (nothing held for them); running ones finish. */
export async function cancelBatchHandler(c: Context<AppEnv>) {
  const bindings = requireBatchBindings(c.env);
  const store = bindings.batches(c.var.principal.tenant.id);
  const result = await store.cancel(c.req.param("id") ?? "", c.var.services.now());
  if (result === "conflict") {
    throw new GatewayError("conflict", "The batch has already ended; only a running batch can be cancelled.");
  }
  return batchOrNotFound(c, result);
}

/** `GET /v1/batches?limit=&after=`: newest first, OpenAI's cursor list. */
export async function listBatchesHandler(c: Context<AppEnv>) {
  const bindings = requireBatchBindings(c.env);
  const limitText = c.req.query("limit") ?? "20";
  const limit = Number(limitText);
  if (!/^\d+$/.test(limitText) || limit < 1 || limit > 100) {
    throw new GatewayError("invalid_request", "limit must be a whole number from 1 to 100.", { param: "limit" });
  }
  const page = await bindings.batches(c.var.principal.tenant.id).list(c.req.query("after") ?? null, limit);
  return c.json({
    object: "list",
    data: page.data,
    first_id: page.data[0]?.id ?? null,
    last_id: page.data.at(-1)?.id ?? null,
    has_more: page.has_more,
  });
}
