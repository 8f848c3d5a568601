import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { executeItem } from "../../../src/batch/execute-item";
import { batchPolicy } from "../../../src/batch/pricing";
import { servedFromResult } from "../../../src/batch/provider-result";
import type { BatchItem, BatchOwner } from "../../../src/batch/types";
import type { CompiledPolicy } from "../../../src/policy/types";
import { openAiBatchApi } from "../../../src/providers/openai-batch";
import type { ResolvedProvider } from "../../../src/providers/types";
import { servicesFor } from "../../../src/services";
import policy from "../../.generated/policy.json";
import { nonce, upstreamRequests, upstreamUrl } from "../../helpers/gateway";
import { BATCH_PRICE, backend, chatLine, fundedAccount } from "./helpers";

/**
 * An item answered by the provider's own batch (the fake's `/v1/batches`) is settled through the one billed path:
 * billed exactly its line's usage at the batch price, once, even when the result is settled a second time.
 */
describe("settling a provider batch's result", () => {
  it("bills the line's own usage at the batch price once; a redelivered result replays and bills nothing", async () => {
    const account = await fundedAccount(1_000_000);
    const services = servicesFor(policy as CompiledPolicy)(env as unknown as Record<string, unknown>);
    const priced = { ...services, policy: batchPolicy(services.policy) };
    const owner: BatchOwner = {
      tenantId: account.tenantId,
      accountId: account.keyId,
      keyId: account.keyId,
      source: "api-key",
    };
    const tag = nonce("provider");
    const line = chatLine("p-1", "bt-chat", `${tag} summarise this please`);
    const item: BatchItem = {
      custom_id: line.custom_id,
      url: "/v1/chat/completions",
      body: JSON.stringify(line.body),
      model: "bt-chat",
    };

    const provider: ResolvedProvider = { id: "oa", type: "openai", baseUrl: `${upstreamUrl()}/v1`, headers: {} };
    const fetchIt = (r: Request) => fetch(r);
    const request = { path: "/chat/completions", body: { ...line.body, model: "fake-small;tokens=5" } };
    const id = await openAiBatchApi.submit(provider, fetchIt, [openAiBatchApi.inputLine("0", request)], request.path);
    let state = await openAiBatchApi.status(provider, fetchIt, id);
    for (let i = 0; i < 5 && state.state === "running"; i++) state = await openAiBatchApi.status(provider, fetchIt, id);
    if (state.state !== "completed") throw new Error(`expected completed, got ${state.state}`);
    const [result] = await openAiBatchApi.lines(provider, fetchIt, state.results[0] ?? "");
    if (result?.ok !== true) throw new Error("expected a served line");
    const usage = (result.body as { usage: { prompt_tokens: number; completion_tokens: number } }).usage;

    const pending: Promise<unknown>[] = [];
    const settle = (attempt: number) =>
      executeItem(servedFromResult(priced, result.body), owner, item, {
        batchId: "batch_providertest",
        index: 0,
        attempt,
        waitUntil: (p) => void pending.push(p),
      });
    const first = await settle(1);
    const again = await settle(2);
    await Promise.all(pending);
    expect(first.ok).toBe(true);
    expect(again.ok).toBe(true);
    const body = (l: string) => (JSON.parse(l) as { response: { body: { usage: unknown } } }).response.body;
    expect(body(first.line).usage).toEqual(usage);
    expect(body(again.line)).toEqual(body(first.line));
    // The provider's batch answered the item: no interactive call went upstream.
    const calls = await upstreamRequests(tag);
    expect(calls.map((r) => r.path)).toEqual(["/v1/files"]);

    const expected = usage.prompt_tokens * BATCH_PRICE.input + usage.completion_tokens * BATCH_PRICE.output;
    const events = await backend.ledger.usage(account.tenantId, { keyId: account.keyId });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ mode: "batch", status: 200, cost: expected });
    const balance = await backend.ledger.balance(account.keyId, account.tenantId);
    expect(balance).toMatchObject({ openHolds: 0, billed: expected, balance: 1_000_000 - expected });
  });
});
