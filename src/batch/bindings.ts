import type { WorkerEnv } from "../env";
import { GatewayError } from "../errors";
import type { TenantBatches } from "./durable-object";
import { type FileStore, r2FileStore } from "./files";
import type { ItemMessage } from "./types";

/** The Batch API's bindings (wrangler.toml): the item queue, the files bucket and the tenants' batch objects. */
export interface BatchBindings {
  queue: Queue<ItemMessage>;
  files: FileStore;
  /** A fresh stub per call: a stub that saw a disconnect stays broken. */
  batches(tenantId: string): DurableObjectStub<TenantBatches>;
}

function has(value: unknown, ...methods: string[]): boolean {
  return typeof value === "object" && value !== null && methods.every((m) => m in value);
}

/** The bindings, or undefined when the Worker was deployed without them (the Batch API then answers 503). */
export function batchBindings(raw: WorkerEnv): BatchBindings | undefined {
  const { BATCH_QUEUE: queue, BATCH_FILES: bucket, TENANT_BATCHES: namespace } = raw;
  if (!has(queue, "send", "sendBatch") || !has(bucket, "put", "get", "head") || !has(namespace, "idFromName", "get")) {
    return undefined;
  }
  const ns = namespace as DurableObjectNamespace<TenantBatches>;
  return {
    queue: queue as Queue<ItemMessage>,
    files: r2FileStore(bucket as R2Bucket),
    batches: (tenantId) => ns.get(ns.idFromName(`batches:${tenantId}`)),
  };
}

export function requireBatchBindings(raw: WorkerEnv): BatchBindings {
  const bindings = batchBindings(raw);
  if (bindings === undefined) {
    throw new GatewayError(
      "batch_unavailable",
      "The Batch API is not configured on this deployment (it needs the BATCH_QUEUE, BATCH_FILES and TENANT_BATCHES bindings).",
    );
  }
  return bindings;
}

/** Sends every item of a batch, 100 messages per call (the Queues limit per sendBatch). */
export async function enqueueItems(queue: Queue<ItemMessage>, tenantId: string, batchId: string, count: number) {
  for (let start = 0; start < count; start += 100) {
    const messages: MessageSendRequest<ItemMessage>[] = [];
    for (let index = start; index < Math.min(count, start + 100); index++) {
      messages.push({ body: { tenantId, batchId, index }, contentType: "json" });
    }
    await queue.sendBatch(messages);
  }
}
