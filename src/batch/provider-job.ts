import type { Services } from "../context";
import { type ErrorCode, GatewayError } from "../errors";
import { getPreset, resolveProvider } from "../providers";
import type { ProviderBatchApi, ProviderBatchLine, ResolvedProvider } from "../providers/types";
import { type ConsumerDeps, claimOptionsOf } from "./claim-options";
import { executeItem, RetryableItemError } from "./execute-item";
import { finalizeBatch } from "./finalize";
import { parseBatchFile } from "./jsonl";
import { errorLine } from "./lines";
import { batchPolicy } from "./pricing";
import { servedFromResult } from "./provider-result";
import { DEFAULT_BATCH, routeFor } from "./schedule";
import type { BatchItem, ItemMessage, ItemOutcome } from "./types";

/** Items settled per delivery of the job message. */
const SETTLE_CHUNK = 200;

/** Where a `via: provider` batch goes: the first target of its route's first model. */
interface ProviderTarget {
  api: ProviderBatchApi;
  provider: ResolvedProvider;
  upstreamModel: string;
  pollSeconds: number;
}

function targetOf(services: Services, tenantId: string, items: BatchItem[]): ProviderTarget {
  const { policy } = services;
  const tenant = policy.tenants[tenantId];
  const route = tenant === undefined ? undefined : routeFor(policy, tenant, items[0]?.model ?? "");
  const target = policy.models[route?.models[0] ?? ""]?.targets[0];
  const config = target === undefined ? undefined : policy.providers[target.provider];
  const api = config === undefined ? undefined : getPreset(config.type).batchApi;
  if (route === undefined || target === undefined || config === undefined || api === undefined) {
    throw new GatewayError("internal_error", "the batch's route no longer sends batches to a provider batch API");
  }
  const resolved = resolveProvider(config, (name) => services.env.secret(name));
  if (!resolved.ok) throw new GatewayError("upstream_unavailable", resolved.reason);
  const pollSeconds = (route.batch ?? DEFAULT_BATCH).poll_interval_s;
  return { api, provider: resolved.provider, upstreamModel: target.model, pollSeconds };
}

/**
 * The one message of a `batch.via: provider` batch. Submit: the input file's lines, rewritten to the target's model
 * (`custom_id` = the item's index), become one provider batch; then the message polls it, re-sent with a delay while
 * it runs. Once it ends, every item is claimed, settled through the one billed path from its result line
 * (`servedFromResult`, a hold per item, Idempotency-Key `<batch>:<index>`) or failed, exactly as queued items are:
 * a redelivered poll finds settled items settled, and a replayed settlement bills nothing.
 */
export async function runProviderJob(
  message: Message<ItemMessage>,
  job: NonNullable<ItemMessage["job"]>,
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
  if (!items.ok) return message.ack();
  const target = targetOf(services, msg.tenantId, items.items);
  const fetch = (r: Request) => services.fetch(r);
  if (job.providerBatchId === undefined) {
    const jsonl = items.items
      .map((item, i) => target.api.inputLine(String(i), item.url, JSON.parse(item.body), target.upstreamModel))
      .join("\n");
    const providerBatchId = await target.api.submit(target.provider, fetch, jsonl, batch.endpoint, batch.metadata);
    await bindings.queue.send({ ...msg, job: { providerBatchId } }, { contentType: "json", delaySeconds: 1 });
    return message.ack();
  }
  const state = await target.api.status(target.provider, fetch, job.providerBatchId);
  if (state.state === "running") {
    await bindings.queue.send(msg, { contentType: "json", delaySeconds: target.pollSeconds });
    return message.ack();
  }
  const results = new Map<string, ProviderBatchLine>();
  if (state.state === "completed") {
    for (const fileId of [state.outputFileId, state.errorFileId]) {
      if (fileId === null) continue;
      for (const line of await target.api.lines(target.provider, fetch, fileId)) results.set(line.customId, line);
    }
  }
  const failure = state.state === "completed" ? undefined : `The provider's batch ended ${state.state}.`;
  // A chunk of items per delivery (a long batch would outlast one invocation); the rest go on in a fresh message.
  const start = job.next ?? 0;
  const end = Math.min(total, start + SETTLE_CHUNK);
  let again = job.again === true;
  for (let index = start; index < end; index++) {
    if (!(await settleOne(deps, msg, index, results.get(String(index)), failure))) again = true;
  }
  const providerBatchId = job.providerBatchId;
  if (end < total) {
    const next = { providerBatchId, next: end, ...(again ? { again } : {}) };
    await bindings.queue.send({ ...msg, job: next }, { contentType: "json" });
  } else if (again) {
    // Some items were busy (another delivery's lease) or hit a store that may recover: go over them again shortly.
    await bindings.queue.send({ ...msg, job: { providerBatchId } }, { contentType: "json", delaySeconds: 1 });
  }
  message.ack();
}

/** Settles item `index` from its result line; false when it must be tried again later. */
async function settleOne(
  deps: ConsumerDeps,
  msg: ItemMessage,
  index: number,
  result: ProviderBatchLine | undefined,
  failure: string | undefined,
): Promise<boolean> {
  const { services, bindings } = deps;
  const store = bindings.batches(msg.tenantId);
  const claim = await store.claim(msg.batchId, index, claimOptionsOf(services.policy), services.now());
  if (claim.kind === "busy") return false;
  if (claim.kind !== "run") {
    if (claim.kind !== "gone" && claim.finalize)
      await finalizeBatch(bindings, msg.tenantId, msg.batchId, services.now());
    return true;
  }
  const fail = (code: ErrorCode, message: string): ItemOutcome => ({
    ok: false,
    line: errorLine(msg.batchId, index, claim.item.custom_id, { code, message }),
  });
  let outcome: ItemOutcome;
  if (result?.ok === true) {
    const priced: Services = { ...services, policy: batchPolicy(services.policy) };
    try {
      outcome = await executeItem(servedFromResult(priced, result.body), claim.owner, claim.item, {
        batchId: msg.batchId,
        index,
        attempt: claim.attempt,
        waitUntil: deps.waitUntil,
      });
    } catch (err) {
      if (!(err instanceof RetryableItemError)) throw err;
      await store.release(msg.batchId, index, err.line);
      return false;
    }
  } else if (result !== undefined) {
    outcome = fail("upstream_error", `The provider's batch failed this request (${result.status}): ${result.message}`);
  } else {
    outcome = fail("upstream_error", failure ?? "The provider's batch returned no result for this request.");
  }
  const { finalize } = await store.finish(msg.batchId, index, outcome);
  if (finalize) await finalizeBatch(bindings, msg.tenantId, msg.batchId, services.now());
  return true;
}
