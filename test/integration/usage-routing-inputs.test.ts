import { beforeAll, describe, expect, it } from "vitest";
import { replay } from "../../scripts/simulate/replay";
import type { ChatRequest } from "../../src/canonical/chat";
import type { CompiledPolicy } from "../../src/policy/types";
import { estimatePromptTokens } from "../../src/routing/token-estimate";
import policy from "../.generated/policy.json";
import {
  type Account,
  type Backend,
  chat,
  makeBackend,
  newAccount,
  requestIdOf,
  settled,
  usageOf,
} from "../helpers/billing";
import { nonce } from "../helpers/gateway";

/**
 * Usage events record what routing saw (no prompt text), so `gateway simulate` can replay real traffic; replayed
 * against the policy it ran under, each request costs what it was billed.
 */
let b: Backend;
let account: Account;

beforeAll(async () => {
  b = await makeBackend("durable-object");
  account = await newAccount(b, 50_000_000);
});

const CLIENT_TOOL = {
  type: "function",
  function: { name: "lookup", description: "x", parameters: { type: "object" } },
};

describe("routing inputs on usage events", () => {
  it("records the requested name, the prompt estimate and the request's shape, never its text", async () => {
    const secret = nonce("ri");
    const body = {
      model: "b-chat",
      messages: [
        { role: "user", content: `first ${secret}` },
        { role: "assistant", content: "ok" },
        { role: "user", content: "second" },
      ],
      tools: [CLIENT_TOOL],
      response_format: { type: "json_object" },
    };
    const res = await chat(b, account, body, { "x-gateway-task-type": "reasoning" });
    expect(res.status).toBe(200);
    await res.text();
    await settled(b, account);
    const event = await usageOf(b, account, requestIdOf(res));
    expect(event?.routingInputs).toEqual({
      requested: "b-chat",
      estimatedTokens: estimatePromptTokens(body as unknown as ChatRequest),
      hasTools: true,
      turns: 2,
      hasResponseFormat: true,
      taskType: "reasoning",
    });
    expect(JSON.stringify(event)).not.toContain(secret);
  });

  it("replayed against the policy it ran under, recorded traffic costs exactly what was billed", async () => {
    const own = await newAccount(b, 50_000_000);
    const ids: string[] = [];
    for (const [i, stream] of [false, true, false].entries()) {
      const res = await chat(b, own, {
        model: "billing",
        stream,
        messages: [{ role: "user", content: `${"word ".repeat(10 * (i + 1))}${nonce("replay")}` }],
      });
      expect(res.status).toBe(200);
      await res.text();
      ids.push(requestIdOf(res));
    }
    await settled(b, own);
    const events = await Promise.all(ids.map((id) => usageOf(b, own, id)));
    const recorded = events.filter((e) => e !== undefined);
    expect(recorded).toHaveLength(3);
    const results = replay(recorded, policy as CompiledPolicy, () => "chat");
    expect(results.map((r) => (r.kind === "served" ? [r.alias, r.cost] : r.kind))).toEqual(
      recorded.map((e) => [e.model, e.cost]),
    );
  });
});
