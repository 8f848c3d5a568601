import type { ConsumerDeps } from "./claim-options";
import type { ItemMessage } from "./types";
import { sendBatchWebhook } from "./webhook";

/** Tries before a webhook is given up on; with the backoff below they span about 3 hours. */
export const WEBHOOK_ATTEMPTS = 8;

/** Seconds before try `attempt + 1`: 5 s, 20 s, 80 s, ~5 min, ~21 min, then hourly. */
export function webhookBackoffSeconds(attempt: number): number {
  return Math.min(3600, 5 * 4 ** (attempt - 1));
}

/**
 * One try of a batch's completion webhook. A receiver that fails (or cannot be reached) gets it again later: a fresh
 * message with a growing delay, so the queue's own retries (and its dead letter) stay for items. A webhook that
 * cannot succeed (refused URL, missing secret) or has used its tries is logged and dropped.
 */
export async function runWebhookJob(message: Message<ItemMessage>, deps: ConsumerDeps): Promise<void> {
  const msg = message.body;
  const attempt = msg.webhook?.attempt ?? 1;
  const batch = await deps.bindings.batches(msg.tenantId).get(msg.batchId);
  if (batch === null) return message.ack();
  const result = await sendBatchWebhook(deps.services, msg.tenantId, batch);
  if (result.kind === "failed") {
    const what = `batch ${msg.batchId}: completion webhook try ${attempt} failed (${result.message})`;
    if (result.permanent || attempt >= WEBHOOK_ATTEMPTS) {
      console.error(`${what}; not sent`);
    } else {
      console.warn(`${what}; trying again`);
      const next: ItemMessage = { ...msg, webhook: { attempt: attempt + 1 } };
      await deps.bindings.queue.send(next, { contentType: "json", delaySeconds: webhookBackoffSeconds(attempt) });
    }
  }
  message.ack();
}
