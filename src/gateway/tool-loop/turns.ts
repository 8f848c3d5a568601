import { StreamAssembler } from "../../cache/assemble";
import type { ChatChunk, ChatResponse } from "../../canonical/chat";
import { chunkLike } from "../../canonical/chunk";
import { GatewayError } from "../../errors";
import { committedEvents } from "../../streaming/pump";
import { balanceAfterSettle, charged } from "../billing/headers";
import { meteredEvents, StreamBill } from "../billing/meter";
import { runChat, settleJson } from "../chat";
import { routeHeaders } from "../route-meta";
import type { RunTurn, TurnResult } from "./loop";

/** Turns as JSON calls, each settled as soon as its answer is in. */
export const jsonTurn: RunTurn = async function* jsonTurn(turn, ctx) {
  const outcome = await runChat(ctx, turn);
  if (outcome.kind !== "json") throw new Error(`a JSON tool-loop turn came back as ${outcome.kind}`);
  settleJson(outcome, JSON.stringify(outcome.response), {
    "content-type": "application/json",
    ...routeHeaders(outcome.meta),
  });
  const result: TurnResult = {
    response: outcome.response,
    meta: outcome.meta,
    admission: outcome.admission,
    cost: charged(outcome.admission, outcome.bill.cost),
    creditsRemaining: balanceAfterSettle(outcome.admission, outcome.bill.cost),
  };
  yield* []; // A JSON turn has no live text to pass on; it is a generator only to share the RunTurn shape.
  return result;
};

/** What a streamed loop's response needs while a turn is in flight: the client may go away at any moment. */
export interface LiveTurn {
  abandon(): void;
  cancel(): Promise<void>;
}

/** Shared between the streamed turns and the response that carries them. */
export interface LiveLoop {
  current?: LiveTurn;
  /** The first turn's routing and admission: the response headers, sent before later turns exist. */
  first?: Pick<TurnResult, "meta" | "admission">;
  /** The client went away: no further turn may start (it would be billed for nobody). */
  gone?: boolean;
}

/**
 * Turns as streaming calls: each turn's text is yielded as it arrives (the client reads it live, across turns);
 * tool-call deltas, finish reasons and usage are held back, because only the assembled turn tells whether the loop
 * goes on. Each turn is metered and settled exactly once by its own StreamBill, whatever ends it.
 */
export function streamTurns(live: LiveLoop): RunTurn {
  return async function* streamTurn(turn, ctx) {
    if (live.gone === true) throw new GatewayError("upstream_error", "The client went away; the tool loop stopped.");
    const outcome = await runChat(ctx, { ...turn, stream: true });
    if (outcome.kind !== "stream") throw new Error(`a streamed tool-loop turn came back as ${outcome.kind}`);
    const bill = new StreamBill(outcome.settlement, outcome.model, false);
    ctx.waitUntil?.(bill.settled);
    live.current = { abandon: () => bill.abandon(), cancel: outcome.start.cancel };
    live.first ??= { meta: outcome.meta, admission: outcome.admission };
    const assembler = new StreamAssembler();
    try {
      const events = meteredEvents(
        committedEvents(outcome.start, outcome.idleTimeoutMs),
        bill,
        outcome.admission.outputTokens,
      );
      for await (const ev of events) {
        assembler.add(ev.chunk);
        const text = contentOf(ev.chunk);
        if (text !== undefined) yield { chunk: textChunk(ev.chunk, text) };
      }
    } finally {
      bill.finish();
      live.current = undefined;
      // Closed early (client gone, a failure, or cut at its grant): the upstream must not keep generating.
      if (bill.outcome !== "completed") await outcome.start.cancel().catch(() => undefined);
    }
    const response: TurnResult = {
      response: assembler.response() ?? emptyAnswer(outcome.start.first.chunk),
      meta: outcome.meta,
      admission: outcome.admission,
    };
    return response;
  };
}

function contentOf(chunk: ChatChunk): string | undefined {
  const content = chunk.choices[0]?.delta.content;
  return typeof content === "string" && content !== "" ? content : undefined;
}

/** Only the text of a chunk: its tool-call deltas and finish reason wait for the turn's verdict. */
function textChunk(chunk: ChatChunk, content: string): ChatChunk {
  return chunkLike(chunk, [{ index: 0, delta: { content }, finish_reason: null }]);
}

function emptyAnswer(head: ChatChunk): ChatResponse {
  return {
    id: head.id,
    object: "chat.completion",
    created: head.created,
    model: head.model,
    choices: [{ index: 0, message: { role: "assistant", content: null }, finish_reason: "stop" }],
  };
}
