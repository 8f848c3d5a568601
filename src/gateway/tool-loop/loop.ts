import { sha256Hex } from "../../auth/hash";
import type { ChatMessage, ChatRequest, ChatResponse, ToolCall } from "../../canonical/chat";
import { GatewayError } from "../../errors";
import type { Admission } from "../billing/admission";
import { balanceAfterSettle, charged } from "../billing/headers";
import { type ChatContext, type ChatOutcome, runChat, settleJson } from "../chat";
import { type RouteMeta, routeHeaders } from "../route-meta";
import { splitCalls, type ToolOffer } from "./offer";

/** Why a loop ended before the model answered. */
export type LoopStop = "max_turns" | "max_tool_calls" | "wall_time" | "task_budget" | "credits";

/** The model's gateway tool call, as the executor gets it. */
export interface LoopToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** Runs (or refuses) one gateway tool call; the content is what the model is told, as a `tool` message. */
export type ExecuteToolCall = (
  call: LoopToolCall,
  offered: ReadonlySet<string>,
  deadline: number,
) => Promise<{ content: string; executed: boolean }>;

export interface ToolLoopResult {
  response: ChatResponse;
  /** The last turn's routing facts. */
  meta: RouteMeta;
  /** The last turn's admission (rate-limit and balance headers). */
  admission: Admission;
  turns: number;
  /** Gateway tool calls executed (refused ones not counted). */
  toolCalls: number;
  /** Micro-credits billed for all turns. */
  cost: number;
  /** The balance once the last turn has settled. */
  creditsRemaining: number;
  stop?: LoopStop;
  /** Gateway calls of a turn that also called client tools: not executed, not returned (see README). */
  dropped: number;
}

type JsonOutcome = Extract<ChatOutcome, { kind: "json" }>;

/** Refusals that mean "the budget is spent": after the first turn they end the loop instead of failing it. */
function budgetStop(err: unknown): LoopStop | undefined {
  if (!(err instanceof GatewayError)) return undefined;
  if (err.code === "task_budget_exceeded" || err.code === "task_loop_detected") return "task_budget";
  if (err.code === "insufficient_credits") return "credits";
  return undefined;
}

/**
 * The gateway-executed tool loop: call the model; when it calls gateway tools, run them and call it again with the
 * results; until it answers (or calls the client's tools), or a bound stops it. Every turn is its own admission,
 * hold and settlement (turn n > 1 is billed as request `<id>.t<n>`), so the ledger sees every model call.
 */
export async function runToolLoop(
  ctx: ChatContext,
  req: ChatRequest,
  offer: ToolOffer,
  execute: ExecuteToolCall,
): Promise<ToolLoopResult> {
  if (ctx.billing.idempotencyKey !== undefined) {
    throw new GatewayError("invalid_request", "Idempotency-Key cannot be combined with gateway tools.", {
      param: "idempotency-key",
    });
  }
  const bounds = ctx.principal.tenant.tool_loop;
  const deadline = ctx.startedAt + bounds.max_wall_ms;
  const now = ctx.services.now;
  const { stream: _stream, stream_options: _options, ...rest } = req;
  const messages: ChatMessage[] = [...req.messages];
  let last: JsonOutcome | undefined;
  let turns = 0;
  let toolCalls = 0;
  let cost = 0;

  const finish = (outcome: JsonOutcome, extra: Partial<ToolLoopResult> = {}): ToolLoopResult => ({
    response: outcome.response,
    meta: outcome.meta,
    admission: outcome.admission,
    turns,
    toolCalls,
    cost,
    creditsRemaining: balanceAfterSettle(outcome.admission, outcome.bill.cost),
    dropped: 0,
    ...extra,
  });
  const stopped = (outcome: JsonOutcome, stop: LoopStop) =>
    finish(outcome, { response: withoutToolCalls(outcome.response), stop });

  for (;;) {
    turns += 1;
    const turn: ChatRequest = { ...rest, messages: [...messages], tools: offer.tools };
    let outcome: ChatOutcome;
    try {
      outcome = await runChat(await turnContext(ctx, turn, turns), turn);
    } catch (err) {
      const stop = budgetStop(err);
      if (last !== undefined && stop !== undefined) return stopped(last, stop);
      throw err;
    }
    if (outcome.kind !== "json") throw new Error("a tool-loop turn must be a JSON call");
    const body = JSON.stringify(outcome.response);
    settleJson(outcome, body, { "content-type": "application/json", ...routeHeaders(outcome.meta) });
    cost += charged(outcome.admission, outcome.bill.cost);
    last = outcome;

    const message = outcome.response.choices[0]?.message;
    const { gateway, client } = splitCalls(offer, message?.tool_calls ?? []);
    if (gateway.length === 0) return finish(outcome);
    if (client.length > 0) {
      const response = withToolCalls(outcome.response, client);
      return finish(outcome, { response, dropped: gateway.length });
    }
    if (turns >= bounds.max_turns) return stopped(outcome, "max_turns");
    if (toolCalls + gateway.length > bounds.max_tool_calls) return stopped(outcome, "max_tool_calls");
    if (now() >= deadline) return stopped(outcome, "wall_time");

    const results = await Promise.all(
      gateway.map((call) =>
        execute({ id: call.id, name: call.function.name, arguments: call.function.arguments }, offer.gateway, deadline),
      ),
    );
    toolCalls += results.filter((r) => r.executed).length;
    messages.push({ role: "assistant", content: message?.content ?? null, tool_calls: gateway });
    gateway.forEach((call, i) => {
      messages.push({ role: "tool", tool_call_id: call.id, content: results[i]?.content ?? "" });
    });
  }
}

/**
 * Turn 1 is the request itself; later turns are billed under `<request id>.t<n>` with their own fingerprint. No turn
 * goes through the response cache: tool results are live data, and a cached tool call would re-run tools blindly.
 */
async function turnContext(ctx: ChatContext, turn: ChatRequest, n: number): Promise<ChatContext> {
  if (n === 1) return { ...ctx, skipCache: true };
  const billing = { ...ctx.billing, requestId: `${ctx.billing.requestId}.t${n}` };
  if (billing.taskId !== undefined) billing.bodyHash = await sha256Hex(JSON.stringify(turn));
  return { ...ctx, billing, skipCache: true };
}

function withToolCalls(response: ChatResponse, calls: ToolCall[]): ChatResponse {
  return {
    ...response,
    choices: response.choices.map((choice, i) =>
      i === 0 ? { ...choice, message: { ...choice.message, tool_calls: calls }, finish_reason: "tool_calls" } : choice,
    ),
  };
}

/** The last answer when a bound stopped the loop: its unexecuted gateway calls removed, a finish reason that says so. */
function withoutToolCalls(response: ChatResponse): ChatResponse {
  return {
    ...response,
    choices: response.choices.map((choice, i) => {
      if (i !== 0) return choice;
      const { tool_calls: _calls, ...message } = choice.message;
      return { ...choice, message, finish_reason: "tool_loop_limit" };
    }),
  };
}
