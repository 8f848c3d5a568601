import type { Services } from "../context";
import { originsBusy } from "../gateway/origin-load";
import { type ConsumerDeps, claimOptionsOf } from "./claim-options";
import { executeItem, RetryableItemError } from "./execute-item";
import { finalizeBatch } from "./finalize";
import { batchPolicy } from "./pricing";
import { runProviderJob } from "./provider-job";
import { DEFAULT_BATCH, startDecision } from "./schedule";
import type { ItemMessage } from "./types";
import { runWebhookJob } from "./webhook-job";

/** The dead-letter queue is the item queue's name plus this suffix (wrangler.toml): its messages are given up on. */
export const DEAD_LETTER_SUFFIX = "-dlq";

/**
 * The Queue consumer: every message is one batch item. The tenant's batch object decides whether it may run (not
 * ended, batch not cancelled or out of credits, a concurrency slot free); the route's batch settings whether it may
 * run now; then the item runs through the one billed-call path at batch prices. Messages of one delivery run
 * concurrently (the delivery is at most `max_batch_size`); the slots bound what runs across deliveries.
 */
export async function consumeBatchItems(batch: MessageBatch<ItemMessage>, deps: ConsumerDeps): Promise<void> {
  const deadLetter = batch.queue.endsWith(DEAD_LETTER_SUFFIX);
  // As many at once as the widest route allows: a delivery larger than that waits here for its own slots instead of
  // sending most of its messages back to the queue as busy.
  const width = Math.max(1, ...Object.values(claimOptionsOf(deps.services.policy).concurrency));
  const queue = [...batch.messages];
  const worker = async () => {
    for (let message = queue.shift(); message !== undefined; message = queue.shift()) {
      try {
        if (message.body.webhook !== undefined) {
          if (deadLetter) message.ack();
          else await runWebhookJob(message, deps);
        } else if (message.body.job !== undefined) await runProviderJob(message, message.body.job, deps, deadLetter);
        else if (deadLetter) await giveUp(message.body, deps);
        else await consume(message, deps);
      } catch (err) {
        // A store that failed us mid-way: the queue offers the message again (the item's state makes that safe).
        console.error(`batch item ${message.body.batchId}#${message.body.index} failed in the consumer`, err);
        message.retry();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, queue.length) }, worker));
}

async function giveUp(msg: ItemMessage, deps: ConsumerDeps): Promise<void> {
  const { finalize } = await deps.bindings.batches(msg.tenantId).giveUp(msg.batchId, msg.index);
  if (finalize) await finalizeBatch(deps.bindings, msg.tenantId, msg.batchId, deps.services.now());
}

async function consume(message: Message<ItemMessage>, deps: ConsumerDeps): Promise<void> {
  const msg = message.body;
  const { services, bindings } = deps;
  const store = bindings.batches(msg.tenantId);
  const now = services.now();
  const claim = await store.claim(msg.batchId, msg.index, claimOptionsOf(services.policy), now);
  switch (claim.kind) {
    case "gone":
      message.ack();
      return;
    case "settled":
    case "stopped":
      if (claim.finalize) await finalizeBatch(bindings, msg.tenantId, msg.batchId, now);
      message.ack();
      return;
    case "busy":
      // Re-sent rather than retried: waiting for a slot must not spend the item's retries.
      await bindings.queue.send(msg, { contentType: "json", delaySeconds: Math.ceil(claim.retryInMs / 1000) });
      message.ack();
      return;
  }
  const route = services.policy.routes[claim.route];
  const settings = route?.batch ?? DEFAULT_BATCH;
  const providers = route?.models.flatMap((alias) => services.policy.models[alias]?.targets ?? []) ?? [];
  const decision = startDecision(settings, {
    nowMs: now,
    expiresAtMs: claim.expiresAtMs,
    originBusy:
      settings.origin_idle &&
      originsBusy(
        services,
        providers.map((t) => t.provider),
        deps.waitUntil,
      ),
  });
  if (!decision.run) {
    await store.release(msg.batchId, msg.index, null);
    await bindings.queue.send(msg, { contentType: "json", delaySeconds: decision.delaySeconds });
    message.ack();
    return;
  }
  const priced: Services = { ...services, policy: batchPolicy(services.policy) };
  try {
    const outcome = await executeItem(priced, claim.owner, claim.item, {
      batchId: msg.batchId,
      index: msg.index,
      attempt: claim.attempt,
      waitUntil: deps.waitUntil,
    });
    const { finalize } = await store.finish(msg.batchId, msg.index, outcome);
    if (finalize) await finalizeBatch(bindings, msg.tenantId, msg.batchId, services.now());
    message.ack();
  } catch (err) {
    if (!(err instanceof RetryableItemError)) throw err;
    await store.release(msg.batchId, msg.index, err.line);
    if (err.resend) {
      await bindings.queue.send(msg, { contentType: "json", delaySeconds: 1 });
      message.ack();
    } else {
      message.retry({ delaySeconds: settings.retry_delay_s });
    }
  }
}
