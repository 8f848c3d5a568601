import type { Services } from "../context";

/**
 * Settling an item a provider's own batch already answered (the groundwork for `batch.via: provider`): the item runs
 * through the one billed path (`executeItem`: admit → execute → settle at the batch price, Idempotency-Key
 * `<batch>:<index>`, usage event `mode: "batch"`) with an outbound fetch that answers the upstream call with the
 * provider's output-line body instead of calling the provider again. So the bill is the line's own usage at the
 * catalogue's batch price, and a redelivered result is a ledger replay that bills nothing.
 */
export function servedFromResult(services: Services, body: unknown): Services {
  const text = JSON.stringify(body);
  const answer: typeof fetch = async () =>
    new Response(text, { status: 200, headers: { "content-type": "application/json" } });
  return { ...services, fetch: answer };
}
