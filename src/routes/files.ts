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
