import { describe, expect, it } from "vitest";
import type { ChatRequest, ChatResponse, ChunkEvent } from "../../../src/canonical/chat";
import type { ChatContext } from "../../../src/gateway/chat";
import { type ExecuteToolCall, runToolLoop, type TurnResult } from "../../../src/gateway/tool-loop/loop";
import type { ToolOffer } from "../../../src/gateway/tool-loop/offer";

/** The loop's wall-time bound: no model turn may START once max_wall_ms has passed. */

function callingTool(n: number): ChatResponse {
  return {
    id: `r${n}`,
    object: "chat.completion",
    created: 1,
    model: "m",
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: null,
          tool_calls: [{ id: `c${n}`, type: "function", function: { name: "slow", arguments: "{}" } }],
        },
        finish_reason: "tool_calls",
      },
    ],
  };
}

async function drive(gen: AsyncGenerator<ChunkEvent, unknown>) {
  let step = await gen.next();
  while (step.done !== true) step = await gen.next();
  return step.value;
}

describe("tool loop wall time", () => {
  it("stops instead of starting another turn when the tools ran past max_wall_ms", async () => {
    let clock = 0;
    const ctx = {
      billing: { requestId: "req1" },
      principal: { tenant: { tool_loop: { max_turns: 5, max_tool_calls: 10, max_wall_ms: 1_000 } } },
      startedAt: 0,
      services: { now: () => clock },
    } as unknown as ChatContext;
    const offer: ToolOffer = { tools: [], gateway: new Set(["slow"]), client: new Set() };
    const req: ChatRequest = { model: "m", messages: [{ role: "user", content: "go" }] };
    let turns = 0;
    const runTurn = async function* (): AsyncGenerator<ChunkEvent, TurnResult> {
      turns += 1;
      yield* [];
      return { response: callingTool(turns), meta: {}, admission: {} } as unknown as TurnResult;
    };
    // The tool takes the whole budget (it is bounded by the deadline itself, and ends just past it).
    const execute: ExecuteToolCall = async () => {
      clock = 1_200;
      return { content: "{}", executed: true };
    };
    const result = (await drive(runToolLoop(ctx, req, offer, execute, runTurn))) as { stop?: string; turns: number };
    expect(turns).toBe(1);
    expect(result.stop).toBe("wall_time");
  });

  it("never runs tool calls of a turn that was cut at its token limit", async () => {
    const ctx = {
      billing: { requestId: "req2" },
      principal: { tenant: { tool_loop: { max_turns: 5, max_tool_calls: 10, max_wall_ms: 60_000 } } },
      startedAt: 0,
      services: { now: () => 0 },
    } as unknown as ChatContext;
    const offer: ToolOffer = { tools: [], gateway: new Set(["slow"]), client: new Set() };
    const req: ChatRequest = { model: "m", messages: [{ role: "user", content: "go" }] };
    const cut = callingTool(1);
    const first = cut.choices[0];
    if (first !== undefined) first.finish_reason = "length";
    const runTurn = async function* (): AsyncGenerator<ChunkEvent, TurnResult> {
      yield* [];
      return { response: cut, meta: {}, admission: {} } as unknown as TurnResult;
    };
    let executed = 0;
    const execute: ExecuteToolCall = async () => {
      executed += 1;
      return { content: "{}", executed: true };
    };
    const result = (await drive(runToolLoop(ctx, req, offer, execute, runTurn))) as {
      response: ChatResponse;
      dropped: number;
    };
    expect(executed).toBe(0);
    expect(result.dropped).toBe(1);
    expect(result.response.choices[0]?.finish_reason).toBe("length");
    expect(result.response.choices[0]?.message.tool_calls).toBeUndefined();
  });
});
