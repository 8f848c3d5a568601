import type { FileObject, FilePurpose } from "./types";

/**
 * Batch files in R2 (the only file that names the product): inputs as uploaded, outputs and error files as the
 * batch writes them. Keys are scoped by tenant (`files/<tenant>/<id>`), so one tenant's id never opens another's.
 */
export interface FileStore {
  put(tenantId: string, file: FileObject, text: string): Promise<void>;
  head(tenantId: string, id: string): Promise<FileObject | undefined>;
  text(tenantId: string, id: string): Promise<string | undefined>;
  /** The content as a stream, for `GET /v1/files/{id}/content`. */
  body(tenantId: string, id: string): Promise<ReadableStream | undefined>;
  /** Every file of the tenant, in no particular order. */
  list(tenantId: string): Promise<FileObject[]>;
  delete(tenantId: string, id: string): Promise<void>;
}

const keyOf = (tenantId: string, id: string) => `files/${tenantId}/${id}`;

function fileOf(object: R2Object, id: string): FileObject | undefined {
  const m = object.customMetadata ?? {};
  const purpose = m.purpose as FilePurpose | undefined;
  if (purpose !== "batch" && purpose !== "batch_output") return undefined;
  return {
    id,
    object: "file",
    bytes: object.size,
    created_at: Number(m.created_at ?? 0),
    filename: m.filename ?? id,
    purpose,
    status: "processed",
  };
}

export function r2FileStore(bucket: R2Bucket): FileStore {
  return {
    async put(tenantId, file, text) {
      await bucket.put(keyOf(tenantId, file.id), text, {
        httpMetadata: { contentType: "application/jsonl" },
        customMetadata: { purpose: file.purpose, filename: file.filename, created_at: String(file.created_at) },
      });
    },
    async head(tenantId, id) {
      const object = await bucket.head(keyOf(tenantId, id));
      return object === null ? undefined : fileOf(object, id);
    },
    async text(tenantId, id) {
      const object = await bucket.get(keyOf(tenantId, id));
      return object === null ? undefined : new TextDecoder().decode(await object.arrayBuffer());
    },
    async body(tenantId, id) {
      const object = await bucket.get(keyOf(tenantId, id));
      return object === null ? undefined : object.body;
    },
    async list(tenantId) {
      const prefix = keyOf(tenantId, "");
      const found: FileObject[] = [];
      let cursor: string | undefined;
      // R2 lists 1,000 keys a call; the metadata comes with them.
      for (;;) {
        const page = await bucket.list({ prefix, include: ["customMetadata"], ...(cursor ? { cursor } : {}) });
        for (const object of page.objects) {
          const file = fileOf(object, object.key.slice(prefix.length));
          if (file !== undefined) found.push(file);
        }
        if (!page.truncated) return found;
        cursor = page.cursor;
      }
    },
    async delete(tenantId, id) {
      await bucket.delete(keyOf(tenantId, id));
    },
  };
}
