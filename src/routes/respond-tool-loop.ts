import type { Context } from "hono";
import type { ChatChunk, ChatRequest, ChatResponse, ChunkEvent } from "../canonical/chat";
import { chunkLike } from "../canonical/chunk";
import type { AppEnv } from "../context";
import { admissionHeaders } from "../gateway/billing/headers";
import type { ChatContext } from "../gateway/chat";
import { routeHeaders } from "../gateway/route-meta";
import { loopExecutor } from "../gateway/tool-loop/execute";
import { runToolLoop, type ToolLoopResult } from "../gateway/tool-loop/loop";
import type { ToolOffer } from "../gateway/tool-loop/offer";
import { jsonTurn, type LiveLoop, streamTurns } from "../gateway/tool-loop/turns";
import { recordAnswer, recordFinishReasons, traceStream } from "../observability/content";
import type { Span } from "../observability/span";
import { openAiSse } from "../streaming/openai-sse";
import { toByteStream } from "../streaming/pump";
import { SSE_HEADERS } from "../streaming/sse";
import { toolDeps } from "../tools";

type Loop = AsyncGenerator<ChunkEvent, ToolLoopResult>;

/** How an ingress format writes the loop's answer (Chat Completions unless given; /v1/responses gives its own). */
export interface LoopEncoding {
  json(response: ChatResponse): string;
  /** `model` is the upstream model of the first turn, for formats that name it before the first chunk. */
  frames(events: AsyncIterable<ChunkEvent>, model: string): AsyncIterable<string>;
}

function chatEncoding(req: ChatRequest, requestId: string): LoopEncoding {
  const includeUsage = req.stream_options?.include_usage === true;
  return {
    json: (response) => JSON.stringify(response),
    frames: (events) => openAiSse(events, { includeUsage, requestId }),
  };
}

/** Routing and rate-limit headers of a turn; the hold header is left out (a loop holds once per turn). */
function turnHeaders(first: NonNullable<LiveLoop["first"]>): Record<string, string> {
  const { "x-gateway-credits-reserved": _reserved, ...admission } = admissionHeaders(first.admission);
  return { ...routeHeaders(first.meta), ...admission };
}

/** The tenant's opt-in to prompt and answer text in traces. */
function capture(ctx: ChatContext) {
  return ctx.principal.tenant.telemetry;
}

/** Runs the gateway-executed tool loop for a request that offers gateway tools, and writes its answer. */
export function respondWithToolLoop(
  c: Context<AppEnv>,
  ctx: ChatContext,
  req: ChatRequest,
  offer: ToolOffer,
  encoding: LoopEncoding = chatEncoding(req, c.get("requestId")),
): Promise<Response> {
  const execute = loopExecutor({
    deps: toolDeps(ctx.services, (p) => c.executionCtx.waitUntil(p)),
    principal: ctx.principal,
    requestId: c.get("requestId"),
    ...(ctx.billing.taskId === undefined ? {} : { taskId: ctx.billing.taskId }),
    ...(ctx.billing.feature === undefined ? {} : { feature: ctx.billing.feature }),
    ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
    telemetry: ctx.services.telemetry,
    span: ctx.span,
  });
  if (req.stream !== true) {
    return respondToolLoopJson(runToolLoop(ctx, req, offer, execute, jsonTurn), encoding, ctx.span, capture(ctx));
  }
  const live: LiveLoop = {};
  const loop = runToolLoop(ctx, req, offer, execute, streamTurns(live));
  return respondToolLoopStream(c, loop, live, encoding);
}

/** A JSON loop: every turn ran to the end; the headers say what the whole loop did and cost. */
async function respondToolLoopJson(
  loop: Loop,
  encoding: LoopEncoding,
  span: Span,
  content: ReturnType<typeof capture>,
): Promise<Response> {
  let step = await loop.next();
  while (step.done !== true) step = await loop.next();
  const result = step.value;
  // The loop's answer, not its last turn's (a bound rewrites the finish reason).
  recordFinishReasons(span, result.response);
  recordAnswer(span, content, result.response);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    ...turnHeaders(result.last),
    "x-gateway-cost": String(result.cost),
    "x-gateway-tool-turns": String(result.turns),
    "x-gateway-tool-calls": String(result.toolCalls),
  };
  if (result.last.creditsRemaining !== undefined) {
    // Tool calls held their price before they ran, but after the last turn's balance was read.
    headers["x-gateway-credits-remaining"] = String(result.last.creditsRemaining - result.toolCostAfterLastTurn);
  }
  if (result.stop !== undefined) headers["x-gateway-tool-loop-stop"] = result.stop;
  if (result.dropped > 0) headers["x-gateway-tool-calls-dropped"] = String(result.dropped);
  return new Response(encoding.json(result.response), { headers });
}

/**
 * A streamed loop: the response starts with the first text any turn produces (the first turn runs before it, so its
 * refusals are ordinary HTTP errors), carries every turn's text as it arrives, and ends with the final turn's client
 * tool calls, finish reason and the loop's total usage. A later failure is reported in-band. How many turns and tool
 * calls it took is in the usage events (headers are gone by then).
 */
async function respondToolLoopStream(
  c: Context<AppEnv>,
  loop: Loop,
  live: LiveLoop,
  encoding: LoopEncoding,
): Promise<Response> {
  const first = await loop.next();
  const start = live.first ?? (first.done === true ? first.value.last : undefined);
  const headers = start === undefined ? {} : turnHeaders(start);
  // The pump drives the loop from a waitUntil task, so a client that goes away does not drop its pending work (a
  // tool call, the next turn's admission): the loop runs until it has ended or closed, and every hold resolves.
  const model =
    start?.meta.upstreamModel ?? (first.done === true ? first.value.response.model : first.value.chunk.model);
  const events = traceStream(loopEvents(first, loop), c.get("span"), c.get("principal").tenant.telemetry);
  const frames = encoding.frames(events, model);
  const body = toByteStream(frames[Symbol.asyncIterator](), {
    stopUpstream: async () => live.current?.cancel(),
    onClientGone: () => {
      live.gone = true;
      live.current?.abandon();
    },
    waitUntil: (task) => c.executionCtx.waitUntil(task),
  });
  return new Response(body, { headers: { ...SSE_HEADERS, ...headers } });
}

/** One chunk stream for the client out of every turn's text, closed by the final answer's tail. */
async function* loopEvents(first: IteratorResult<ChunkEvent, ToolLoopResult>, loop: Loop): AsyncGenerator<ChunkEvent> {
  let head: ChatChunk | undefined;
  let step = first;
  try {
    while (step.done !== true) {
      if (head === undefined) {
        head = step.value.chunk;
        yield { chunk: withDelta(head, { role: "assistant", content: "" }) };
      }
      // One id for the whole stream, as a client expects; each turn's upstream had its own.
      yield { chunk: { ...step.value.chunk, id: head.id } };
      step = await loop.next();
    }
  } finally {
    // Closed early (the client went away): close the loop too, so the turn in flight settles its hold. The loop is
    // driven by hand, not by for-await, so nothing else would.
    if (step.done !== true) await (loop as AsyncIterator<ChunkEvent, ToolLoopResult>).return?.();
  }
  const response = step.value.response;
  const base = head ?? headOf(response);
  if (head === undefined) yield { chunk: withDelta(base, { role: "assistant", content: "" }) };
  yield* tail(response, base);
}

function headOf(response: ChatResponse): ChatChunk {
  return chunkLike(response, []);
}

function withDelta(head: ChatChunk, delta: ChatChunk["choices"][number]["delta"]): ChatChunk {
  return { ...head, choices: [{ index: 0, delta, finish_reason: null }], usage: undefined };
}

/** The final answer's tool calls for the client, its finish reason, and the loop's usage. */
function* tail(response: ChatResponse, head: ChatChunk): Generator<ChunkEvent> {
  const choice = response.choices[0];
  const calls = choice?.message.tool_calls ?? [];
  if (calls.length > 0) {
    const deltas = calls.map((call, index) => ({
      index,
      id: call.id,
      type: "function" as const,
      function: call.function,
    }));
    yield { chunk: withDelta(head, { tool_calls: deltas }) };
  }
  yield { chunk: { ...head, choices: [{ index: 0, delta: {}, finish_reason: choice?.finish_reason ?? "stop" }] } };
  if (response.usage !== undefined) yield { chunk: { ...head, choices: [], usage: response.usage } };
}
