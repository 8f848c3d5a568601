import { GatewayError } from "../errors";
import type { ProviderBatchLine } from "../providers/types";
import type { ConsumerDeps } from "./claim-options";
import { finalizeBatch } from "./finalize";
import { parseItem } from "./item-request";
import { parseBatchFile } from "./jsonl";
import { failItem, settleOne } from "./provider-settle";
import { providerTargetOf, upstreamRequestOf } from "./provider-target";
import type { BatchItem, ItemMessage } from "./types";

/** Items settled per delivery of the job message. */
const SETTLE_CHUNK = 200;

type Job = NonNullable<ItemMessage["job"]>;

/**
 * The one message of a `batch.via: provider` batch. Submit: each item is translated by the target's own adapter
 * (as a live call would be) into one line of a provider batch (`custom_id` = the item's index); an item the target
 * cannot take fails on its own at once. Then the message polls the provider's batch, re-sent with a delay while it
 * runs; a batch cancelled here is cancelled there once. Once it ends, every item is claimed, settled through the one
 * billed path from its result (`servedFromResult`, a hold per item, Idempotency-Key `<batch>:<index>`) or failed,
 * exactly as queued items are: a redelivered poll finds settled items settled, and a replayed settlement bills nothing.
 */
export async function runProviderJob(
  message: Message<ItemMessage>,
  job: Job,
  deps: ConsumerDeps,
  deadLetter: boolean,
): Promise<void> {
  const msg = message.body;
  const { services, bindings } = deps;
  const store = bindings.batches(msg.tenantId);
  const batch = await store.get(msg.batchId);
  if (batch === null) return message.ack();
  const total = batch.request_counts.total;
  if (deadLetter) {
    // Submitting or polling kept failing: the items fail (none holds credits; holds open only while settling).
    for (let index = 0; index < total; index++) {
      const { finalize } = await store.giveUp(msg.batchId, index);
      if (finalize) await finalizeBatch(bindings, msg.tenantId, msg.batchId, services.now());
    }
    return message.ack();
  }
  const items = parseBatchFile((await bindings.files.text(msg.tenantId, batch.input_file_id)) ?? "");
  if (!items.ok) {
    // The input file is gone (deleted while the batch was created): nothing can be sent, so every item fails.
    const why = "The batch's input file could not be read; nothing was sent to the provider.";
    for (let index = 0; index < total; index++) await failItem(deps, msg, index, "invalid_request", why);
    return message.ack();
  }
  const target = providerTargetOf(services, msg.tenantId, items.items);
  const fetch = (r: Request) => services.fetch(r);
  const providerBatchId = job.providerBatchId;
  if (providerBatchId === undefined) {
    // Cancelled before it was sent: nothing goes to the provider, every item ends unrun (settleOne claims each).
    const lines =
      batch.status === "cancelling" ? { lines: [], path: "" } : await inputLines(deps, msg, items.items, target);
    if (lines.lines.length === 0) {
      for (let index = 0; index < total; index++) await settleOne(deps, msg, index, undefined, "cancelled");
      return message.ack();
    }
    const id = await target.api.submit(target.provider, fetch, lines.lines, lines.path, batch.metadata);
    await bindings.queue.send({ ...msg, job: { providerBatchId: id } }, { contentType: "json", delaySeconds: 1 });
    return message.ack();
  }
  if (job.next === undefined && batch.status === "cancelling" && job.cancelled !== true) {
    // Best effort: a provider batch that ended meanwhile refuses to be cancelled, and its results still count.
    await target.api.cancel(target.provider, fetch, providerBatchId).catch((err: unknown) => {
      if (!(err instanceof GatewayError)) throw err;
      console.warn(`batch ${msg.batchId}: the provider refused to cancel its batch (${err.message})`);
    });
    await bindings.queue.send({ ...msg, job: { ...job, cancelled: true } }, { contentType: "json", delaySeconds: 1 });
    return message.ack();
  }
  const state = await target.api.status(target.provider, fetch, providerBatchId);
  if (state.state === "running") {
    await bindings.queue.send(msg, { contentType: "json", delaySeconds: target.pollSeconds });
    return message.ack();
  }
  const results = new Map<string, ProviderBatchLine>();
  if (state.state === "completed") {
    for (const ref of state.results) {
      for (const line of await target.api.lines(target.provider, fetch, ref)) results.set(line.customId, line);
    }
  }
  const failure = state.state === "completed" ? undefined : state.state;
  // A chunk of items per delivery (a long batch would outlast one invocation); the rest go on in a fresh message.
  const start = job.next ?? 0;
  const end = Math.min(total, start + SETTLE_CHUNK);
  let again = job.again === true;
  for (let index = start; index < end; index++) {
    if (!(await settleOne(deps, msg, index, results.get(String(index)), failure))) again = true;
  }
  const carried = { providerBatchId, ...(job.cancelled === true ? { cancelled: true } : {}) };
  if (end < total) {
    const next = { ...carried, next: end, ...(again ? { again } : {}) };
    await bindings.queue.send({ ...msg, job: next }, { contentType: "json" });
  } else if (again) {
    // Some items were busy (another delivery's lease) or hit a store that may recover: go over them again shortly.
    await bindings.queue.send({ ...msg, job: carried }, { contentType: "json", delaySeconds: 1 });
  }
  message.ack();
}

/**
 * The provider batch's lines, one per item its API can carry; an item it cannot (a body its endpoint refuses, a
 * parameter the target does not support) fails now with that refusal, and is not sent.
 */
async function inputLines(
  deps: ConsumerDeps,
  msg: ItemMessage,
  items: BatchItem[],
  target: ReturnType<typeof providerTargetOf>,
): Promise<{ lines: string[]; path: string }> {
  const lines: string[] = [];
  let path = "";
  for (const [index, item] of items.entries()) {
    try {
      const request = await upstreamRequestOf(target, parseItem(item));
      lines.push(target.api.inputLine(String(index), request));
      path = request.path;
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      await failItem(deps, msg, index, err.code, err.message);
    }
  }
  return { lines, path };
}
