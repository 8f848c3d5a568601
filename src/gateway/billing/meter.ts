import type { ChatChunk, ChatResponse, ChunkEvent } from "../../canonical/chat";
import { chunkLike } from "../../canonical/chunk";
import { thinkingBlocksOf, thinkingDeltaOf } from "../../canonical/thinking";
import { errorEnvelope, GatewayError } from "../../errors";
import { costOf } from "../../ledger/pricing";
import type { SettleRequest, VoidRequest } from "../../ledger/types";
import type { ModelConfig } from "../../policy/types";
import { textTokenWeight } from "../../routing/text-tokens";
import type { Admission } from "./admission";
import { checkUsage, type Delivered, estimateOutputTokens, implausibleParts, tokenFloor } from "./usage";

export type SettleOp = { kind: "settle"; req: SettleRequest } | { kind: "void"; req: VoidRequest };

/** Everything a metered response needs to settle its hold exactly once. */
export interface Settlement {
  admission: Admission;
  /** Builds the usage event for the terminal ledger entry. */
  usage: (facts: {
    inputTokens: number;
    outputTokens: number;
    cachedTokens?: number;
    cacheWriteTokens?: number;
    cost: number;
    status: number;
    flags: string[];
  }) => SettleRequest["usage"];
  /** Hands the op to durable settlement (off the hot path); resolves when it is settled or queued. */
  submit: (op: SettleOp) => Promise<void>;
  /** The prompt estimate, for when an upstream reports no usage. */
  promptEstimate: number;
  /** The fewest prompt tokens the prompt's text can be (`tokenFloor`); a reported count below it is not believed. */
  promptFloor?: number;
}

export interface Bill {
  inputTokens: number;
  outputTokens: number;
  /** Prompt tokens billed at the cache-read price (part of inputTokens). */
  cachedTokens?: number;
  /** Prompt tokens billed at the cache-write price (part of inputTokens). */
  cacheWriteTokens?: number;
  cost: number;
  flags: string[];
}

/**
 * What to bill from what the upstream reported. Trusted usage is billed as reported (capped at the hold by the
 * ledger), prompt-cache reads and writes at their own prices; untrusted usage bills the whole hold, flagged; missing
 * usage is estimated from the delivered text. Counts that are well-formed but below what was sent or delivered
 * (0 output tokens for a delivered answer) are raised to the estimate, flagged `usage_implausible`: never billed
 * below what was delivered.
 */
export function billFor(
  s: Settlement,
  model: ModelConfig,
  reported: ChatChunk["usage"] | ChatResponse["usage"],
  delivered: Delivered,
  flags: string[],
): Bill {
  const pricing = model.pricing ?? s.admission.pricing;
  const checked = checkUsage(reported, {
    maxOutputTokens: s.admission.outputTokens,
    contextWindow: model.context_window,
  });
  if (checked.ok) {
    const { ok: _, ...counts } = checked;
    const low = implausibleParts(counts, { prompt: s.promptFloor ?? 0, output: tokenFloor(delivered.chars) });
    const usage = {
      ...counts,
      inputTokens: low.input ? Math.max(counts.inputTokens, s.promptEstimate) : counts.inputTokens,
      outputTokens: low.output ? Math.max(counts.outputTokens, estimateOutputTokens(delivered)) : counts.outputTokens,
    };
    const billed = low.input || low.output ? [...flags, "usage_implausible"] : flags;
    return {
      ...cacheParts(usage),
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      cost: costOf(usage, pricing),
      flags: billed,
    };
  }
  if (checked.reason === "missing") {
    const usage = { inputTokens: s.promptEstimate, outputTokens: estimateOutputTokens(delivered) };
    return { ...usage, cost: costOf(usage, pricing), flags: [...flags, "usage_estimated"] };
  }
  const outputTokens = estimateOutputTokens(delivered);
  return {
    inputTokens: s.promptEstimate,
    outputTokens,
    cost: s.admission.reserved,
    flags: [...flags, "usage_untrusted"],
  };
}

/** Prompt-cache counts for the bill and its usage event: only those reported, so plain calls carry none. */
function cacheParts(u: { cachedTokens: number; cacheWriteTokens: number }): Partial<Bill> {
  const out: Partial<Bill> = {};
  if (u.cachedTokens > 0) out.cachedTokens = u.cachedTokens;
  if (u.cacheWriteTokens > 0) out.cacheWriteTokens = u.cacheWriteTokens;
  return out;
}

export function settleOp(
  s: Settlement,
  bill: Bill,
  status: number,
  idempotencyBody?: { headers: Record<string, string>; body: string },
): SettleOp {
  const a = s.admission;
  const req: SettleRequest = {
    keyId: a.accountId,
    tenantId: a.tenantId,
    requestId: a.requestId,
    cost: bill.cost,
    inputTokens: bill.inputTokens,
    outputTokens: bill.outputTokens,
    flags: bill.flags,
    usage: s.usage({ ...bill, status }),
  };
  if (a.input.idempotencyKey !== undefined && idempotencyBody !== undefined) {
    req.idempotency = { key: a.input.idempotencyKey, response: { status, ...idempotencyBody } };
  }
  if (a.input.taskId !== undefined) req.task = { id: a.input.taskId, toolCalls: 0 };
  return { kind: "settle", req };
}

export function voidOp(s: Settlement, status: number, flags: string[]): SettleOp {
  const a = s.admission;
  const req: VoidRequest = {
    keyId: a.accountId,
    tenantId: a.tenantId,
    requestId: a.requestId,
    usage: s.usage({ inputTokens: 0, outputTokens: 0, cost: 0, status, flags }),
  };
  if (a.input.idempotencyKey !== undefined) req.idempotencyKey = a.input.idempotencyKey;
  return { kind: "void", req };
}

/** Generated output in a chunk (content, refusal, reasoning and tool-call names and arguments), added to `into`. */
export function addChunk(into: Delivered, chunk: ChatChunk): void {
  for (const choice of chunk.choices) {
    const d = choice.delta;
    if (typeof d.content === "string") addText(into, d.content);
    if (typeof d.refusal === "string") addText(into, d.refusal);
    const thought = thinkingDeltaOf(d);
    if (thought?.thinking !== undefined) addText(into, thought.thinking);
    if (thought?.data !== undefined) addText(into, thought.data);
    for (const call of d.tool_calls ?? []) {
      addText(into, call.function?.name ?? "");
      addText(into, call.function?.arguments ?? "");
    }
  }
}

/**
 * Generated output of a whole JSON answer (as `addChunk`). The characters are counted at once (the plausibility
 * floor needs them on every bill); the token weight, a pass over every code point, only when a bill reads it (usage
 * missing, untrusted or implausible), so a well-reported answer never pays for it.
 */
export function deliveredOf(res: ChatResponse): Delivered {
  const texts: string[] = [];
  let chars = 0;
  const add = (text: string) => {
    if (text === "") return;
    chars += text.length;
    texts.push(text);
  };
  for (const choice of res.choices) {
    const m = choice.message;
    if (typeof m.content === "string") add(m.content);
    if (typeof m.refusal === "string") add(m.refusal);
    for (const block of thinkingBlocksOf(m)) add(block.type === "thinking" ? block.thinking : block.data);
    for (const call of m.tool_calls ?? []) {
      add(call.function.name);
      add(call.function.arguments);
    }
  }
  return new LazyDelivered(chars, texts);
}

class LazyDelivered implements Delivered {
  #weight: number | undefined;
  constructor(
    readonly chars: number,
    private readonly texts: readonly string[],
  ) {}

  get weight(): number {
    if (this.#weight === undefined) {
      let sum = 0;
      for (const text of this.texts) sum += textTokenWeight(text);
      this.#weight = sum;
    }
    return this.#weight;
  }
}

function addText(into: Delivered, text: string): void {
  if (text === "") return;
  into.chars += text.length;
  into.weight += textTokenWeight(text);
}

const MAX_TRANSCRIPT = 4 * 1024 * 1024;
/** What an Idempotency-Key replay of a stream too large to keep answers: the one error envelope, code `conflict`. */
function tooLargeToReplay(requestId: string): string {
  const err = new GatewayError(
    "conflict",
    "The original response to this Idempotency-Key was too large to store; it was delivered and billed once.",
    { param: "Idempotency-Key" },
  );
  return JSON.stringify(errorEnvelope(err, requestId));
}

/**
 * The bill of one streamed response, filled in as chunks pass and settled exactly once when the byte stream ends
 * for any reason: completed, failed after the first byte, cut off, or abandoned by the client (bills what was
 * delivered). Settling at the byte level (not where chunks are metered) lets an Idempotency-Key replay store the
 * whole transcript, trailer frames included.
 */
export class StreamBill {
  readonly delivered: Delivered = { chars: 0, weight: 0 };
  usage: ChatChunk["usage"];
  outcome: "completed" | "failed" | "cut" | "abandoned" = "abandoned";
  private readonly frames: string[] | undefined;
  private bytes = 0;
  private done = false;
  private clientGone = false;
  private resolveSettled: (() => void) | undefined;
  /**
   * Resolves once the bill is settled. The route registers it with waitUntil when the response starts: a settle
   * that begins only when the client disconnects would otherwise run after the request's context is gone.
   */
  readonly settled: Promise<void> = new Promise((resolve) => {
    this.resolveSettled = resolve;
  });

  /**
   * `clientSignal`: the request's signal. When the client disconnects, the runtime may abort the upstream call (and
   * so fail the stream) before the response's writer notices: a failure with the signal aborted is the client's.
   */
  constructor(
    private readonly s: Settlement,
    private readonly model: ModelConfig,
    keepTranscript: boolean,
    private readonly clientSignal?: AbortSignal,
  ) {
    this.frames = keepTranscript ? [] : undefined;
  }

  /** Records a frame sent to the client (only kept for idempotent replays, up to 4 MiB). */
  sent(frame: string): void {
    if (this.frames === undefined) return;
    this.bytes += frame.length;
    if (this.bytes <= MAX_TRANSCRIPT) this.frames.push(frame);
  }

  /** The client disconnected: whatever the upstream does next, bill only what was delivered. */
  abandon(): void {
    this.clientGone = true;
  }

  finish(): void {
    if (this.done) return;
    this.done = true;
    const clientLeft = this.clientGone || (this.outcome === "failed" && this.clientSignal?.aborted === true);
    const outcome = clientLeft ? "abandoned" : this.outcome;
    const flags =
      outcome === "completed"
        ? []
        : [
            outcome === "abandoned"
              ? "client_disconnected"
              : outcome === "cut"
                ? "cut_off"
                : "upstream_failed_mid_stream",
          ];
    // Usage a stream reports covers the whole answer: trust it only when the whole answer was delivered.
    const bill = billFor(this.s, this.model, outcome === "completed" ? this.usage : undefined, this.delivered, flags);
    // An Idempotency-Key replays what the first request produced, whatever it was (a broken or cut stream
    // included): the request ran and was billed, so it must not run again nor leave its key in progress.
    const body =
      this.frames === undefined
        ? undefined
        : this.bytes <= MAX_TRANSCRIPT
          ? { headers: { "content-type": "text/event-stream; charset=utf-8" }, body: this.frames.join("") }
          : { headers: { "content-type": "application/json" }, body: tooLargeToReplay(this.s.admission.requestId) };
    void this.s.submit(settleOp(this.s, bill, 200, body)).finally(() => this.resolveSettled?.());
  }
}

/**
 * Meters a committed stream as it passes and cuts one that clearly overruns its grant, ending it like an upstream
 * `length` stop. The upstream was asked for at most the grant; the cut is a safety net for one that ignores
 * max_tokens, with slack because the character estimate is rough.
 */
export async function* meteredEvents(
  events: AsyncIterable<ChunkEvent>,
  bill: StreamBill,
  grant: number,
): AsyncGenerator<ChunkEvent> {
  const cutAt = Math.ceil(grant * 1.5) + 16;
  try {
    for await (const ev of events) {
      if (ev.chunk.usage) bill.usage = ev.chunk.usage;
      addChunk(bill.delivered, ev.chunk);
      if (estimateOutputTokens(bill.delivered) > cutAt) {
        bill.outcome = "cut";
        yield { chunk: lengthStop(ev.chunk) };
        return;
      }
      yield ev;
    }
    bill.outcome = "completed";
  } catch (err) {
    bill.outcome = "failed";
    throw err;
  }
}

/** Passes frames through to the client, recording them for replay, and settles when the frame stream ends. */
export async function* billedFrames(frames: AsyncIterable<string>, bill: StreamBill): AsyncGenerator<string> {
  try {
    for await (const frame of frames) {
      bill.sent(frame);
      yield frame;
    }
  } finally {
    bill.finish();
  }
}

function lengthStop(last: ChatChunk): ChatChunk {
  return chunkLike(last, [{ index: 0, delta: {}, finish_reason: "length" }]);
}
