import type { BatchBindings } from "./bindings";
import { newId } from "./ids";
import type { FileObject } from "./types";

async function writeLines(
  bindings: BatchBindings,
  tenantId: string,
  name: string,
  lines: string[],
  nowMs: number,
): Promise<string | null> {
  if (lines.length === 0) return null;
  const file: FileObject = {
    id: newId("file-"),
    object: "file",
    bytes: 0,
    created_at: Math.floor(nowMs / 1000),
    filename: name,
    purpose: "batch_output",
    status: "processed",
  };
  await bindings.files.put(tenantId, file, `${lines.join("\n")}\n`);
  return file.id;
}

/**
 * Writes a finished batch's output and error files (JSONL, input order) to R2, then records them and the final
 * status. Safe to repeat: a batch already finalized keeps its first files (a repeat leaves an unreferenced copy).
 */
export async function finalizeBatch(bindings: BatchBindings, tenantId: string, batchId: string, nowMs: number) {
  const store = bindings.batches(tenantId);
  const { output, errors } = await store.lines(batchId);
  const files = {
    output: await writeLines(bindings, tenantId, `${batchId}_output.jsonl`, output, nowMs),
    errors: await writeLines(bindings, tenantId, `${batchId}_error.jsonl`, errors, nowMs),
  };
  const done = await store.finalize(batchId, files, nowMs);
  // The tenant's completion webhook (if its policy has one), sent and retried by the queue consumer; enqueued once,
  // by the call that ended the batch.
  if (done?.ended === true) {
    await bindings.queue.send({ tenantId, batchId, index: 0, webhook: { attempt: 1 } }, { contentType: "json" });
  }
}
