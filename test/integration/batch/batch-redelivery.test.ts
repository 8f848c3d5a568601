import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { executeItem } from "../../../src/batch/execute-item";
import { batchPolicy } from "../../../src/batch/pricing";
import type { BatchItem, BatchOwner } from "../../../src/batch/types";
import type { CompiledPolicy } from "../../../src/policy/types";
import { servicesFor } from "../../../src/services";
import policy from "../../.generated/policy.json";
import { nonce, upstreamRequests } from "../../helpers/gateway";
import { backend, chatLine, fundedAccount } from "./helpers";

/**
 * A consumer that dies after an item settled but before its batch recorded it: the queue redelivers the message and
 * the item runs again. The second run is answered from the ledger's stored response (the item's Idempotency-Key):
 * same body, no second upstream call, no second charge.
 */
describe("redelivery after a crash between settlement and recording", () => {
  it("answers the second run from the ledger and bills once", async () => {
    const account = await fundedAccount(1_000_000);
    const services = servicesFor(policy as CompiledPolicy)(env as unknown as Record<string, unknown>);
    const priced = { ...services, policy: batchPolicy(services.policy) };
    const owner: BatchOwner = {
      tenantId: account.tenantId,
      accountId: account.keyId,
      keyId: account.keyId,
      source: "api-key",
    };
    const tag = nonce("crash");
    const line = chatLine("c-1", "bt-chat", `${tag} once`);
    const item: BatchItem = {
      custom_id: line.custom_id,
      url: "/v1/chat/completions",
      body: JSON.stringify(line.body),
      model: "bt-chat",
    };
    const pending: Promise<unknown>[] = [];
    const run = (attempt: number) =>
      executeItem(priced, owner, item, {
        batchId: "batch_crashtest",
        index: 0,
        attempt,
        waitUntil: (p) => void pending.push(p),
      });

    const first = await run(1);
    const second = await run(2);
    await Promise.all(pending);
    expect(first.ok).toBe(true);
    expect(second.ok).toBe(true);
    const body = (l: string) => (JSON.parse(l) as { response: { body: unknown } }).response.body;
    expect(body(second.line)).toEqual(body(first.line));
    expect(await upstreamRequests(`${tag} once`)).toHaveLength(1);

    const usage = await backend.ledger.usage(account.tenantId, { keyId: account.keyId });
    expect(usage).toHaveLength(1);
    expect(usage[0]).toMatchObject({ mode: "batch", status: 200 });
    const balance = await backend.ledger.balance(account.keyId, account.tenantId);
    expect(balance).toMatchObject({ openHolds: 0, billed: usage[0]?.cost, balance: 1_000_000 - (usage[0]?.cost ?? 0) });
  });
});
