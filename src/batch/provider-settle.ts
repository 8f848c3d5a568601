import type { Services } from "../context";
import type { ErrorCode } from "../errors";
import type { ProviderBatchLine } from "../providers/types";
import { type ConsumerDeps, claimOptionsOf } from "./claim-options";
import { executeItem, RetryableItemError } from "./execute-item";
import { finalizeBatch } from "./finalize";
import { errorLine } from "./lines";
import { batchPolicy } from "./pricing";
import { servedFromResult } from "./provider-result";
import type { ItemMessage, ItemOutcome } from "./types";

/** How a provider-batch item without an answer ends: its own result's reason, else the whole batch's. */
function unanswered(result: ProviderBatchLine | undefined, batchEnded: string | undefined) {
  if (result !== undefined && !result.ok) {
    if (result.outcome === "expired") {
      return { code: "batch_expired" as const, message: "The provider's batch expired before running this request." };
    }
    if (result.outcome === "canceled") return { code: "upstream_error" as const, message: result.message };
    return {
      code: "upstream_error" as const,
      message: `The provider's batch failed this request (${result.status}): ${result.message}`,
    };
  }
  const message =
    batchEnded === undefined
      ? "The provider's batch returned no result for this request."
      : `The provider's batch ended ${batchEnded}.`;
  return { code: "upstream_error" as const, message };
}

/**
 * Settles item `index` of a provider batch from its result; false when it must be tried again later. An answered item
 * is billed once through the one billed path even when the batch was cancelled meanwhile (the provider ran it); one
 * without an answer fails unbilled, or ends unrun when the batch was cancelled.
 */
export async function settleOne(
  deps: ConsumerDeps,
  msg: ItemMessage,
  index: number,
  result: ProviderBatchLine | undefined,
  batchEnded: string | undefined,
): Promise<boolean> {
  const { services, bindings } = deps;
  const store = bindings.batches(msg.tenantId);
  const answered = result?.ok === true;
  const claim = await store.claim(msg.batchId, index, claimOptionsOf(services.policy), services.now(), answered);
  if (claim.kind === "busy") return false;
  if (claim.kind !== "run") {
    if (claim.kind !== "gone" && claim.finalize)
      await finalizeBatch(bindings, msg.tenantId, msg.batchId, services.now());
    return true;
  }
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
  } else {
    const why = unanswered(result, batchEnded);
    outcome = { ok: false, line: errorLine(msg.batchId, index, claim.item.custom_id, why) };
  }
  const { finalize } = await store.finish(msg.batchId, index, outcome);
  if (finalize) await finalizeBatch(bindings, msg.tenantId, msg.batchId, services.now());
  return true;
}

/** Fails item `index` at once (its line could not be sent to the provider); a settled item stays as it is. */
export async function failItem(deps: ConsumerDeps, msg: ItemMessage, index: number, code: ErrorCode, text: string) {
  const { services, bindings } = deps;
  const store = bindings.batches(msg.tenantId);
  const claim = await store.claim(msg.batchId, index, claimOptionsOf(services.policy), services.now());
  if (claim.kind !== "run") return;
  const line = errorLine(msg.batchId, index, claim.item.custom_id, { code, message: text });
  const { finalize } = await store.finish(msg.batchId, index, { ok: false, line });
  if (finalize) await finalizeBatch(bindings, msg.tenantId, msg.batchId, services.now());
}
