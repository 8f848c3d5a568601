import { sha256Hex } from "../../auth/hash";
import type {
  ChatMessage,
  ChatRequest,
  ChatResponse,
  ChunkEvent,
  FinishReason,
  ToolCall,
  Usage,
} from "../../canonical/chat";
import { GatewayError } from "../../errors";
import { callPart } from "../billed-call";
import type { Admission } from "../billing/types";
import type { RouteMeta } from "../route-meta";
import type { ChatContext } from "../types";
import { splitCalls, type ToolOffer } from "./offer";

/** Why a loop ended before the model answered. */
export type LoopStop = "max_turns" | "max_tool_calls" | "wall_time" | "task_budget" | "credits";

/** The model's gateway tool call, as the executor gets it. */
export interface LoopToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** What one gateway tool call came to. */
export interface ToolCallDone {
  /** What the model is told, as a `tool` message. */
  content: string;
  executed: boolean;
  /** Micro-credits charged for the call (its `price_per_call` when executed; absent or 0 otherwise). */
  cost?: number;
  /** The task's tool-call budget is spent: no further model turn may run (it could only be told so, and be billed). */
  taskSpent?: boolean;
}

/** Runs (or refuses) one gateway tool call. */
export type ExecuteToolCall = (
  call: LoopToolCall,
  offered: ReadonlySet<string>,
  deadline: number,
) => Promise<ToolCallDone>;

/** One model call of the loop, once its answer is complete (and its hold settled or settling). */
export interface TurnResult {
  response: ChatResponse;
  meta: RouteMeta;
  admission: Admission;
  /** Micro-credits charged, when known now (JSON turns); streamed turns settle when their stream ends. */
  cost?: number;
  /** The balance once this turn settles, when known now. */
  creditsRemaining?: number;
}

/**
 * Makes one model call. A streaming runner yields the answer's content events as they arrive (so the client sees
 * text live) and returns the assembled answer; a JSON runner yields nothing.
 */
export type RunTurn = (turn: ChatRequest, ctx: ChatContext) => AsyncGenerator<ChunkEvent, TurnResult>;

export interface ToolLoopResult {
  /** The answer the client gets: the last turn's, adjusted (client calls only, or none after a stop). */
  response: ChatResponse;
  /** The last turn's routing facts and admission. */
  last: TurnResult;
  turns: number;
  /** Gateway tool calls executed (refused ones not counted). */
  toolCalls: number;
  /**
   * Micro-credits charged: the tool calls' prices plus the turns whose cost is known (all of them for JSON loops),
   * i.e. what the ledger charged for the whole loop.
   */
  cost: number;
  stop?: LoopStop;
  /** Gateway calls of a turn that also called client tools: not executed, not returned (see README). */
  dropped: number;
  /** Tool prices charged after the last turn was admitted (a stop after tools ran): not in its balance yet. */
  toolCostAfterLastTurn: number;
}

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
 * hold and settlement (turn n > 1 is billed as request `<id>.t<n>`), so the ledger sees every model call. Yields
 * whatever the turn runner yields (live content of a streamed loop); returns the outcome.
 */
export async function* runToolLoop(
  ctx: ChatContext,
  req: ChatRequest,
  offer: ToolOffer,
  execute: ExecuteToolCall,
  runTurn: RunTurn,
): AsyncGenerator<ChunkEvent, ToolLoopResult> {
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
  const usage = new UsageSum();
  let last: TurnResult | undefined;
  let turns = 0;
  let toolCalls = 0;
  let cost = 0;
  let toolCostAfterLastTurn = 0;

  const finish = (turn: TurnResult, response: ChatResponse, extra: Partial<ToolLoopResult> = {}): ToolLoopResult => ({
    response: usage.onto(response),
    last: turn,
    turns,
    toolCalls,
    cost,
    dropped: 0,
    toolCostAfterLastTurn,
    ...extra,
  });
  const stopped = (turn: TurnResult, stop: LoopStop) => finish(turn, withoutToolCalls(turn.response), { stop });

  for (;;) {
    // Tools may run up to the deadline: a turn must not start after it (it would be a billed call past the bound).
    if (last !== undefined && now() >= deadline) return stopped(last, "wall_time");
    turns += 1;
    const turn: ChatRequest = { ...rest, messages: [...messages], tools: offer.tools };
    let result: TurnResult;
    try {
      result = yield* runTurn(turn, await turnContext(ctx, turn, turns));
    } catch (err) {
      const stop = budgetStop(err);
      if (last !== undefined && stop !== undefined) return stopped(last, stop);
      throw err;
    }
    cost += result.cost ?? 0;
    toolCostAfterLastTurn = 0;
    usage.add(result.response.usage);
    last = result;

    const message = result.response.choices[0]?.message;
    const { gateway, client } = splitCalls(offer, message?.tool_calls ?? []);
    if (gateway.length === 0) return finish(result, result.response);
    // A turn cut at its token limit may hold calls that parse but were never finished: none of them runs.
    if (result.response.choices[0]?.finish_reason === "length") {
      return finish(result, withToolCalls(result.response, client, "length"), { dropped: gateway.length });
    }
    if (client.length > 0) {
      return finish(result, withToolCalls(result.response, client), { dropped: gateway.length });
    }
    if (turns >= bounds.max_turns) return stopped(result, "max_turns");
    if (toolCalls + gateway.length > bounds.max_tool_calls) return stopped(result, "max_tool_calls");
    if (now() >= deadline) return stopped(result, "wall_time");

    const results = await Promise.all(
      gateway.map((call) =>
        execute({ id: call.id, name: call.function.name, arguments: call.function.arguments }, offer.gateway, deadline),
      ),
    );
    toolCalls += results.filter((r) => r.executed).length;
    const toolCost = results.reduce((sum, r) => sum + (r.executed ? (r.cost ?? 0) : 0), 0);
    cost += toolCost;
    toolCostAfterLastTurn += toolCost;
    messages.push({ role: "assistant", content: message?.content ?? null, tool_calls: gateway });
    gateway.forEach((call, i) => {
      messages.push({ role: "tool", tool_call_id: call.id, content: results[i]?.content ?? "" });
    });
    // The task may take no more tool calls: another turn would be admitted and billed only to be told so.
    if (results.some((r) => r.taskSpent === true)) return stopped(result, "task_budget");
  }
}

/**
 * Turn 1 is the request itself; later turns are billed under `<request id>.t<n>` with their own task fingerprint.
 * No turn goes through the response cache: tool results are live data, and a cached tool call would re-run tools
 * blindly.
 */
async function turnContext(ctx: ChatContext, turn: ChatRequest, n: number): Promise<ChatContext> {
  if (n === 1) return { ...ctx, skipCache: true };
  const part = callPart(ctx, `t${n}`);
  if (part.billing.taskId !== undefined) part.billing.bodyHash = await sha256Hex(JSON.stringify(turn));
  return { ...part, skipCache: true };
}

/** Token counts of all turns, so the client's `usage` covers the whole loop it paid for. */
class UsageSum {
  private prompt = 0;
  private completion = 0;
  private seen = false;

  add(usage: Usage | undefined): void {
    if (usage === undefined) return;
    this.seen = true;
    this.prompt += Number.isSafeInteger(usage.prompt_tokens) ? usage.prompt_tokens : 0;
    this.completion += Number.isSafeInteger(usage.completion_tokens) ? usage.completion_tokens : 0;
  }

  onto(response: ChatResponse): ChatResponse {
    if (!this.seen) return response;
    const usage = {
      prompt_tokens: this.prompt,
      completion_tokens: this.completion,
      total_tokens: this.prompt + this.completion,
    };
    return { ...response, usage };
  }
}

/** The answer with only the client's calls left (none: no `tool_calls` at all). */
function withToolCalls(
  response: ChatResponse,
  calls: ToolCall[],
  finishReason: FinishReason = "tool_calls",
): ChatResponse {
  return {
    ...response,
    choices: response.choices.map((choice, i) => {
      if (i !== 0) return choice;
      const { tool_calls: _calls, ...message } = choice.message;
      return {
        ...choice,
        message: calls.length === 0 ? message : { ...message, tool_calls: calls },
        finish_reason: finishReason,
      };
    }),
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
