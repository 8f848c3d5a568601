import type { Context } from "hono";
import { requireBatchBindings } from "../batch/bindings";
import { newId } from "../batch/ids";
import { parseBatchFile } from "../batch/jsonl";
import type { FileObject } from "../batch/types";
import type { AppEnv } from "../context";
import { GatewayError } from "../errors";

async function formOf(c: Context<AppEnv>): Promise<FormData> {
  const type = c.req.header("content-type") ?? "";
  if (!/^multipart\/form-data\b/i.test(type)) {
    throw new GatewayError(
      "unsupported_media_type",
      "Upload a file as multipart/form-data (fields `purpose`, `file`).",
    );
  }
  try {
    // The size-limited body read already holds the text; a batch file is JSON Lines, so text round-trips exactly.
    return await new Request("http://upload/", {
      method: "POST",
      headers: { "content-type": type },
      body: c.var.rawBody,
    }).formData();
  } catch {
    throw new GatewayError("invalid_request", "The multipart body could not be parsed.");
  }
}

/** `POST /v1/files`: a batch input file (purpose `batch`, JSON Lines), validated line by line before it is stored. */
export async function uploadFileHandler(c: Context<AppEnv>) {
  const bindings = requireBatchBindings(c.env);
  const form = await formOf(c);
  const purpose = form.get("purpose");
  if (purpose !== "batch") {
    throw new GatewayError("invalid_request", `purpose must be "batch" (got ${JSON.stringify(purpose)}).`, {
      param: "purpose",
    });
  }
  const file = form.get("file");
  if (file === null || typeof file === "string") {
    throw new GatewayError("invalid_request", "The form needs a `file` field holding the JSONL file.", {
      param: "file",
    });
  }
  const text = await file.text();
  const parsed = parseBatchFile(text);
  if (!parsed.ok) {
    throw new GatewayError("invalid_request", `Line ${parsed.line} of the file: ${parsed.message}.`, { param: "file" });
  }
  const record: FileObject = {
    id: newId("file-"),
    object: "file",
    bytes: new TextEncoder().encode(text).byteLength,
    created_at: Math.floor(c.var.services.now() / 1000),
    filename: file.name || "batch.jsonl",
    purpose: "batch",
    status: "processed",
  };
  await bindings.files.put(c.var.principal.tenant.id, record, text);
  return c.json(record);
}

async function fileOrNotFound(c: Context<AppEnv>): Promise<FileObject> {
  const bindings = requireBatchBindings(c.env);
  const id = c.req.param("id") ?? "";
  const file = await bindings.files.head(c.var.principal.tenant.id, id);
  if (file === undefined) throw new GatewayError("not_found", `No file ${JSON.stringify(id)}.`, { param: "file_id" });
  return file;
}

/** `GET /v1/files/{id}`. */
export async function getFileHandler(c: Context<AppEnv>) {
  return c.json(await fileOrNotFound(c));
}

/** `GET /v1/files/{id}/content`: an input, output or error file as stored (JSON Lines). */
export async function fileContentHandler(c: Context<AppEnv>) {
  const file = await fileOrNotFound(c);
  const body = await requireBatchBindings(c.env).files.body(c.var.principal.tenant.id, file.id);
  if (body === undefined) throw new GatewayError("not_found", `No file ${JSON.stringify(file.id)}.`);
  return new Response(body, { headers: { "content-type": "application/jsonl" } });
}

const LIST_LIMIT_MAX = 10_000;

/**
 * `GET /v1/files?purpose=&limit=&order=&after=`: the caller's tenant's files, OpenAI's cursor list (newest first by
 * default; `after` is the last id of the previous page).
 */
export async function listFilesHandler(c: Context<AppEnv>) {
  const bindings = requireBatchBindings(c.env);
  const limitText = c.req.query("limit") ?? String(LIST_LIMIT_MAX);
  const limit = Number(limitText);
  if (!/^\d+$/.test(limitText) || limit < 1 || limit > LIST_LIMIT_MAX) {
    throw new GatewayError("invalid_request", `limit must be a whole number from 1 to ${LIST_LIMIT_MAX}.`, {
      param: "limit",
    });
  }
  const order = c.req.query("order") ?? "desc";
  if (order !== "asc" && order !== "desc") {
    throw new GatewayError("invalid_request", 'order must be "asc" or "desc".', { param: "order" });
  }
  const purpose = c.req.query("purpose");
  const all = (await bindings.files.list(c.var.principal.tenant.id)).filter(
    (f) => purpose === undefined || f.purpose === purpose,
  );
  const sign = order === "asc" ? 1 : -1;
  all.sort((a, b) => sign * (a.created_at - b.created_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
  const after = c.req.query("after");
  let start = 0;
  if (after !== undefined) {
    const at = all.findIndex((f) => f.id === after);
    if (at === -1) {
      throw new GatewayError("invalid_request", `after: no file ${JSON.stringify(after)} in this list.`, {
        param: "after",
      });
    }
    start = at + 1;
  }
  const data = all.slice(start, start + limit);
  return c.json({
    object: "list",
    data,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
    has_more: start + limit < all.length,
  });
}

/**
 * `DELETE /v1/files/{id}`: removes the file. An input file a batch that has not ended still reads is refused with
 * 409 (cancel the batch, or wait for it to end); output and error files may always be deleted.
 */
export async function deleteFileHandler(c: Context<AppEnv>) {
  const file = await fileOrNotFound(c);
  const bindings = requireBatchBindings(c.env);
  const tenantId = c.var.principal.tenant.id;
  const batchId = await bindings.batches(tenantId).batchReading(file.id);
  if (batchId !== null) {
    throw new GatewayError(
      "conflict",
      `File ${JSON.stringify(file.id)} is the input of batch ${JSON.stringify(batchId)}, which has not ended; cancel it or wait for it to end first.`,
      { param: "file_id" },
    );
  }
  await bindings.files.delete(tenantId, file.id);
  return c.json({ id: file.id, object: "file", deleted: true });
}
