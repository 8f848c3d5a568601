import { beforeAll, describe, expect, it } from "vitest";
import type { ChatMessage, ChatResponse } from "../../src/canonical/chat";
import {
  type Account,
  type Backend,
  chat,
  chatBody,
  errorCode,
  makeBackend,
  newAccount,
  requestIdOf,
  settled,
  usageOf,
} from "../helpers/billing";
import { nonce, type RecordedRequest, readSse, upstreamRequests } from "../helpers/gateway";
import { auditOf, toolTargetRequests } from "../helpers/tool-target";

/**
 * The gateway-executed tool loop (test/fixtures/policies/tool-loop.yaml): `loop-*` models are the fake upstream
 * scripted to call exact tools; the tools hit the real loopback tool target. Tenant t-tool-loop: max_turns 3,
 * max_tool_calls 4 per request; task budget max_tool_calls 3.
 */

const GATEWAY_TOOLS = [{ type: "function", function: { name: "get_weather" } }];
const TWO_TOOLS = [...GATEWAY_TOOLS, { type: "function", function: { name: "echo_post" } }];
const CLIENT_TOOL = {
  type: "function",
  function: {
    name: "lookup_order",
    description: "Looks up an order",
    parameters: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
  },
};
const SECRET = "tool-secret-5f2e9c1d7b3a";

let b: Backend;
let account: Account;

beforeAll(async () => {
  b = await makeBackend("durable-object");
  account = await newAccount(b, 50_000_000, "t-tool-loop");
});

function loopBody(model: string, text: string, extra: Record<string, unknown> = {}) {
  return chatBody(model, text, { tools: GATEWAY_TOOLS, ...extra });
}

/** Requests the fake model received for this test's nonce, in order (one per turn). */
async function turns(tag: string): Promise<RecordedRequest[]> {
  return (await upstreamRequests(tag)).filter((r) => r.path.endsWith("/chat/completions"));
}

function messagesOf(r: RecordedRequest | undefined): ChatMessage[] {
  return ((r?.body ?? {}) as { messages?: ChatMessage[] }).messages ?? [];
}

function toolMessages(r: RecordedRequest | undefined): { tool_call_id: string; content: string }[] {
  return messagesOf(r).filter((m) => m.role === "tool") as unknown as { tool_call_id: string; content: string }[];
}

/**
 * A task that has spent 2 of its 3 tool calls (one loop-forever request, stopped at max_turns), and a fresh account of
 * the same tenant with its balance, to bill the next request of the task on its own.
 */
async function taskWithOneToolCallLeft() {
  const task = nonce("task");
  const warmup = await chat(b, account, loopBody("loop-forever", `spend two ${nonce("w")}`), {
    "x-gateway-task-id": task,
  });
  expect(warmup.headers.get("x-gateway-tool-calls")).toBe("2");
  await warmup.text();
  const own = await newAccount(b, 50_000_000, "t-tool-loop");
  return { task, own, before: await b.ledger.balance(own.keyId, own.tenantId) };
}

describe("gateway-executed tool loop", () => {
  it("runs a gateway tool and calls the model again with its result, marked as untrusted data", async () => {
    const tag = nonce("loop-ok");
    const res = await chat(b, account, loopBody("loop-weather", `weather please ${tag}`));
    expect(res.status).toBe(200);
    const body = (await res.json()) as ChatResponse;
    expect(body.choices[0]?.finish_reason).toBe("stop");
    expect(body.choices[0]?.message.content).toMatch(/^tool result received:/);
    expect(res.headers.get("x-gateway-tool-turns")).toBe("2");
    expect(res.headers.get("x-gateway-tool-calls")).toBe("1");
    expect(res.headers.get("x-gateway-tool-loop-stop")).toBeNull();

    const sent = await turns(tag);
    expect(sent).toHaveLength(2);
    // The model was shown the policy's definition, not the bare name the client sent.
    const offered = (
      (sent[0]?.body ?? {}) as { tools: { function: { name: string; description?: string; parameters?: unknown } }[] }
    ).tools;
    expect(offered[0]?.function).toMatchObject({ name: "get_weather", description: "Current weather for a city." });
    expect(offered[0]?.function.parameters).toMatchObject({ required: ["city"] });
    // Turn 2 carries the assistant's call and the tool result, wrapped as untrusted data.
    const second = messagesOf(sent[1]);
    expect(second.at(-2)?.tool_calls?.[0]?.function.name).toBe("get_weather");
    const [result] = toolMessages(sent[1]);
    expect(JSON.parse(result?.content ?? "{}")).toMatchObject({
      tool: "get_weather",
      untrusted_data: expect.anything(),
    });

    // The tool target got the call, with the secret header; neither the model nor the client ever saw the secret.
    const hits = await toolTargetRequests("/weather/Paris");
    expect(hits.at(-1)?.headers["x-tool-key"]).toBe(SECRET);
    expect(JSON.stringify(sent)).not.toContain(SECRET);
    expect(JSON.stringify(body)).not.toContain(SECRET);
  });

  it("bills every model turn and every tool call through the ledger", async () => {
    const own = await newAccount(b, 50_000_000, "t-tool-loop");
    const before = await b.ledger.balance(own.keyId, own.tenantId);
    const res = await chat(b, own, loopBody("loop-weather", `bill me ${nonce("loop-bill")}`));
    expect(res.status).toBe(200);
    await res.text();
    const id = requestIdOf(res);
    const after = await settled(b, own);
    const turn1 = await usageOf(b, own, id);
    const turn2 = await usageOf(b, own, `${id}.t2`);
    const tool = await usageOf(b, own, `${id}.tool1`);
    expect(turn1?.cost).toBeGreaterThan(0);
    expect(turn2?.cost).toBeGreaterThan(0);
    expect(tool?.cost).toBe(1000); // get_weather's price_per_call
    const total = (turn1?.cost ?? 0) + (turn2?.cost ?? 0) + (tool?.cost ?? 0);
    expect(before.balance - after.balance).toBe(total);
    // The header is what the ledger charged for the whole loop, the tool's price included.
    expect(Number(res.headers.get("x-gateway-cost"))).toBe(before.balance - after.balance);

    // The caller sees the tool call's audit part in its own usage (the argument hash, never the arguments).
    const listed = await b.fetch(
      new Request("http://gateway.test/v1/usage?limit=50", { headers: { authorization: `Bearer ${own.key}` } }),
    );
    const events = ((await listed.json()) as { data: { request_id: string; tool: unknown }[] }).data;
    const audit = events.find((e) => e.request_id === `${id}.tool1`);
    expect(audit?.tool).toEqual({
      name: "get_weather",
      decision: "executed",
      reason: null,
      args_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      tool_status: 200,
      bytes: expect.any(Number),
      origin: "loop",
    });
    expect(JSON.stringify(events)).not.toContain("Paris");
  });

  it("never serves or stores a tool loop's turns in the response cache (the route's cache is on)", async () => {
    const body = loopBody("loop-weather", `same question twice ${nonce("loop-cache")}`, { temperature: 0 });
    for (let i = 0; i < 2; i++) {
      const res = await chat(b, account, body);
      expect(res.status).toBe(200);
      await res.text();
      expect(res.headers.get("x-gateway-cache")).toBeNull();
      expect(res.headers.get("x-gateway-tool-calls")).toBe("1");
      await settled(b, account);
      expect((await usageOf(b, account, requestIdOf(res)))?.cache).toBe("none");
    }
    // A plain request on the same route does use the cache: the loop's skip is deliberate, not a dead cache.
    const plain = chatBody("loop-weather", `no tools ${nonce("loop-plain")}`, { temperature: 0 });
    const first = await chat(b, account, plain);
    await first.text();
    expect(first.headers.get("x-gateway-cache")).toBe("miss");
  });

  describe("streamed", () => {
    /** The SSE chunks of a response (without the [DONE] terminator, which must be last). */
    async function chunksOf(res: Response) {
      expect(res.headers.get("content-type")).toContain("text/event-stream");
      const events = await readSse(res);
      expect(events.at(-1)?.data).toBe("[DONE]");
      return events.slice(0, -1).map((e) => JSON.parse(e.data));
    }
    const textOf = (chunks: { choices: { delta?: { content?: string } }[] }[]) =>
      chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("");

    it("streams every turn's text live and ends with the final answer's finish reason and the loop's usage", async () => {
      const own = await newAccount(b, 50_000_000, "t-tool-loop");
      const before = await b.ledger.balance(own.keyId, own.tenantId);
      const res = await chat(
        b,
        own,
        loopBody("loop-weather", `stream it ${nonce("loop-sse")}`, {
          stream: true,
          stream_options: { include_usage: true },
        }),
      );
      expect(res.status).toBe(200);
      expect(res.headers.get("x-gateway-model")).toBe("loop-weather");
      const chunks = await chunksOf(res);
      // Turn 1 says "checking." before its tool call; turn 2 answers: both reach the client, in order, in one stream.
      expect(textOf(chunks)).toMatch(/^checking\. tool result received:/);
      expect(chunks[0].choices[0].delta.role).toBe("assistant");
      expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
      // The tool call itself never reaches the client: the gateway ran it.
      expect(chunks.some((c) => c.choices[0]?.delta?.tool_calls !== undefined)).toBe(false);
      const finishes = chunks.map((c) => c.choices[0]?.finish_reason).filter((f) => f != null);
      expect(finishes).toEqual(["stop"]);
      const usage = chunks.at(-1)?.usage;
      expect(usage?.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);

      // Each streamed turn was metered and settled on its own, and the tool call was billed: nothing left held.
      const id = requestIdOf(res);
      const after = await settled(b, own);
      const turn1 = await usageOf(b, own, id);
      const turn2 = await usageOf(b, own, `${id}.t2`);
      const tool = await auditOf(b, own, `${id}.tool1`);
      expect(turn1?.cost).toBeGreaterThan(0);
      expect(turn2?.cost).toBeGreaterThan(0);
      expect(turn1?.flags).toEqual([]);
      expect(tool.tool?.decision).toBe("executed");
      expect(before.balance - after.balance).toBe((turn1?.cost ?? 0) + (turn2?.cost ?? 0) + tool.cost);
      // The usage the client saw covers both turns.
      expect(usage.completion_tokens).toBe((turn1?.outputTokens ?? 0) + (turn2?.outputTokens ?? 0));
    });

    it("ends with finish_reason tool_loop_limit when a bound stops it", async () => {
      const res = await chat(
        b,
        account,
        loopBody("loop-forever", `stream forever ${nonce("loop-sse-forever")}`, { stream: true }),
      );
      const chunks = await chunksOf(res);
      expect(textOf(chunks)).toBe("checking. checking. checking. ");
      expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("tool_loop_limit");
    });

    it("hands the client its own tool calls at the end of the stream", async () => {
      const res = await chat(
        b,
        account,
        loopBody("loop-mixed", `stream mixed ${nonce("loop-sse-mixed")}`, {
          stream: true,
          tools: [...GATEWAY_TOOLS, CLIENT_TOOL],
        }),
      );
      const chunks = await chunksOf(res);
      const calls = chunks.flatMap((c) => c.choices[0]?.delta?.tool_calls ?? []);
      expect(calls.map((c: { function: { name: string } }) => c.function.name)).toEqual(["lookup_order"]);
      expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("tool_calls");
    });

    it("refuses before the stream starts when the first turn is refused", async () => {
      const broke = await newAccount(b, 0, "t-tool-loop");
      const res = await chat(b, broke, loopBody("loop-weather", "no money", { stream: true }));
      expect(res.status).toBe(402);
      expect(await errorCode(res)).toBe("insufficient_credits");
    });
  });

  it("stops a model that never stops calling tools at max_turns, with a clear finish reason", async () => {
    const tag = nonce("loop-forever");
    const res = await chat(b, account, loopBody("loop-forever", `again and again ${tag}`));
    expect(res.status).toBe(200);
    const body = (await res.json()) as ChatResponse;
    expect(body.choices[0]?.finish_reason).toBe("tool_loop_limit");
    expect(body.choices[0]?.message.tool_calls).toBeUndefined();
    expect(res.headers.get("x-gateway-tool-loop-stop")).toBe("max_turns");
    expect(res.headers.get("x-gateway-tool-turns")).toBe("3");
    expect(res.headers.get("x-gateway-tool-calls")).toBe("2");
    expect(await turns(tag)).toHaveLength(3);
  });

  it("counts tool calls against the task budget across requests, and stops when it is spent", async () => {
    const { task, own, before } = await taskWithOneToolCallLeft();
    const tag = nonce("t2");
    const second = await chat(b, own, loopBody("loop-forever", `task two ${tag}`), { "x-gateway-task-id": task });
    expect(second.status).toBe(200);
    const body = (await second.json()) as ChatResponse;
    // The task allows 3 tool calls: one more runs, the next is refused, and the loop ends there — no turn runs (or
    // is billed) only to be told the task is stopped.
    expect(second.headers.get("x-gateway-tool-calls")).toBe("1");
    expect(second.headers.get("x-gateway-tool-loop-stop")).toBe("task_budget");
    expect(second.headers.get("x-gateway-tool-turns")).toBe("2");
    expect(body.choices[0]?.finish_reason).toBe("tool_loop_limit");
    expect(body.choices[0]?.message.tool_calls).toBeUndefined();
    expect(await turns(tag)).toHaveLength(2);
    const id = requestIdOf(second);
    const after = await settled(b, own);
    expect(await usageOf(b, own, `${id}.t3`)).toBeUndefined();
    const refused = await usageOf(b, own, `${id}.tool2`);
    expect(refused?.tool).toMatchObject({ decision: "refused", reason: "task_budget_exceeded" });
    // Two turns and one executed tool call were charged, and the header says exactly that.
    expect(Number(second.headers.get("x-gateway-cost"))).toBe(before.balance - after.balance);
    expect(Number(second.headers.get("x-gateway-credits-remaining"))).toBe(after.balance);
  });

  it("a turn whose parallel calls spend the task's last tool call stops there; headers match the ledger", async () => {
    const { task, own, before } = await taskWithOneToolCallLeft();
    const tag = nonce("par");
    const res = await chat(b, own, loopBody("loop-two", `two at once ${tag}`, { tools: TWO_TOOLS }), {
      "x-gateway-task-id": task,
    });
    expect(res.status).toBe(200);
    await res.text();
    // One of the two calls takes the task's last tool call and runs; the other is refused; no second turn.
    expect(res.headers.get("x-gateway-tool-calls")).toBe("1");
    expect(res.headers.get("x-gateway-tool-loop-stop")).toBe("task_budget");
    expect(await turns(tag)).toHaveLength(1);
    const after = await settled(b, own);
    expect(before.balance - after.balance).toBeGreaterThan(0);
    expect(Number(res.headers.get("x-gateway-cost"))).toBe(before.balance - after.balance);
    // A tool call that ran after the last turn is in the balance the client is told, too.
    expect(Number(res.headers.get("x-gateway-credits-remaining"))).toBe(after.balance);
  });

  for (const [model, label] of [
    ["loop-lookalike", "a look-alike name (zero-width space)"],
    ["loop-case", "a look-alike name (case)"],
    ["loop-notoffered", "a policy tool the request did not offer"],
  ] as const) {
    it(`never executes ${label}; the model is told the tool is not allowed`, async () => {
      const tag = nonce(model);
      const res = await chat(b, account, loopBody(model, `try it ${tag}`));
      expect(res.status).toBe(200);
      const body = (await res.json()) as ChatResponse;
      expect(body.choices[0]?.finish_reason).toBe("stop");
      expect(res.headers.get("x-gateway-tool-calls")).toBe("0");
      const [refusal] = toolMessages((await turns(tag))[1]);
      expect(refusal?.content).toContain("tool_not_allowed");
      const audit = await auditOf(b, account, `${requestIdOf(res)}.tool1`);
      expect(audit.tool).toMatchObject({ decision: "refused", reason: "tool_not_allowed", toolStatus: 0, bytes: 0 });
    });
  }

  for (const [model, label] of [
    ["loop-badargs", "arguments that violate the schema"],
    ["loop-badjson", "arguments that are not JSON"],
  ] as const) {
    it(`refuses ${label} without calling the tool`, async () => {
      const tag = nonce(model);
      const res = await chat(b, account, loopBody(model, `args ${tag}`));
      expect(res.status).toBe(200);
      await res.text();
      const [refusal] = toolMessages((await turns(tag))[1]);
      expect(refusal?.content).toContain("tool_arguments_invalid");
      const audit = await auditOf(b, account, `${requestIdOf(res)}.tool1`);
      expect(audit.tool).toMatchObject({ decision: "refused", reason: "tool_arguments_invalid", toolStatus: 0 });
    });
  }

  it("passes the client's own tool calls to the client untouched", async () => {
    const tag = nonce("loop-client");
    const res = await chat(
      b,
      account,
      loopBody("loop-client", `order ${tag}`, { tools: [...GATEWAY_TOOLS, CLIENT_TOOL] }),
    );
    const body = (await res.json()) as ChatResponse;
    expect(body.choices[0]?.finish_reason).toBe("tool_calls");
    expect(body.choices[0]?.message.tool_calls?.map((c) => c.function)).toEqual([
      { name: "lookup_order", arguments: '{"id":"A1"}' },
    ]);
    expect(res.headers.get("x-gateway-tool-turns")).toBe("1");
    // The client's definition reached the model as sent.
    const offered = (await turns(tag))[0]?.body as { tools: unknown[] };
    expect(offered.tools[1]).toEqual(CLIENT_TOOL);
  });

  it("returns only the client's calls from a turn that mixes both kinds, executing none of the gateway's", async () => {
    const res = await chat(
      b,
      account,
      loopBody("loop-mixed", `mixed ${nonce("loop-mixed")}`, { tools: [...GATEWAY_TOOLS, CLIENT_TOOL] }),
    );
    const body = (await res.json()) as ChatResponse;
    expect(body.choices[0]?.finish_reason).toBe("tool_calls");
    expect(body.choices[0]?.message.tool_calls?.map((c) => c.function.name)).toEqual(["lookup_order"]);
    expect(res.headers.get("x-gateway-tool-calls-dropped")).toBe("1");
    expect(res.headers.get("x-gateway-tool-calls")).toBe("0");
    // Nothing was executed, so no tool call was audited for this request.
    await settled(b, account);
    const events = await b.ledger.usage(account.tenantId, { keyId: account.keyId, limit: 1000 });
    expect(events.filter((e) => e.requestId.startsWith(`${requestIdOf(res)}.tool`))).toEqual([]);
  });

  it("refuses a client tool definition that reuses a gateway tool's name", async () => {
    const res = await chat(
      b,
      account,
      chatBody("loop-weather", "conflict", {
        tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object" } } }],
      }),
    );
    expect(res.status).toBe(400);
    expect(await errorCode(res)).toBe("invalid_request");
  });

  it("refuses an Idempotency-Key on a request that offers gateway tools", async () => {
    const res = await chat(b, account, loopBody("loop-weather", "idem"), { "idempotency-key": nonce("idem") });
    expect(res.status).toBe(400);
    expect(await errorCode(res)).toBe("invalid_request");
  });
});
