/**
 * Canonical chunk stream → Anthropic Messages SSE, in the documented order:
 * message_start, then per content block content_block_start / content_block_delta* / content_block_stop (text first,
 * then each tool_use; a block closes when the next begins), then message_delta (stop reason, usage), message_stop.
 * Every event is written as soon as the chunk that causes it arrives; only message_delta waits, for the usage that
 * OpenAI-style upstreams send in a chunk after the one that carries finish_reason.
 */
import type { ChatChunk, ChunkEvent, FinishReason, Usage } from "../../canonical/chat";
import { type ThinkingDelta, thinkingDeltaOf } from "../../canonical/thinking";
import { encodeSse } from "../../streaming/sse";
import { anthropicUsageOf, matchedStopSequence } from "./client-response";
import { stopReasonOf } from "./stop-reason";

export interface AnthropicStreamMeta {
  model: string;
  messageId: string;
  /** Known (or estimated) prompt size for message_start; the real count follows in message_delta when known. */
  inputTokens?: number;
}

function event(type: string, payload: Record<string, unknown>): string {
  return encodeSse(JSON.stringify({ type, ...payload }), type);
}

/** A stream-level error event, e.g. `anthropicStreamError("overloaded_error", "Overloaded")`. */
export function anthropicStreamError(type: string, message: string): string {
  return event("error", { error: { type, message } });
}

function randomToolId(): string {
  return `toolu_${crypto.randomUUID().replaceAll("-", "")}`;
}

class BlockWriter {
  /** Index of the open block, or -1. Anthropic block indexes count up from 0 across text and tool blocks. */
  open = -1;
  openKind: "text" | "tool" | "thinking" | null = null;
  next = 0;
  /** OpenAI tool_call index → Anthropic block index. */
  readonly tools = new Map<number, number>();
  /** Canonical thinking index → Anthropic block index. */
  readonly thoughts = new Map<number, number>();

  close(out: string[]): void {
    if (this.open === -1) return;
    out.push(event("content_block_stop", { index: this.open }));
    this.open = -1;
    this.openKind = null;
  }

  start(out: string[], kind: "text" | "tool" | "thinking", block: Record<string, unknown>): number {
    this.close(out);
    const index = this.next++;
    out.push(event("content_block_start", { index, content_block: block }));
    this.open = index;
    this.openKind = kind;
    return index;
  }

  text(out: string[], text: string): void {
    if (this.openKind !== "text") this.start(out, "text", { type: "text", text: "" });
    out.push(event("content_block_delta", { index: this.open, delta: { type: "text_delta", text } }));
  }

  thinking(out: string[], t: ThinkingDelta): void {
    let index = this.thoughts.get(t.index);
    if (index === undefined) {
      const block =
        t.type === "redacted_thinking"
          ? { type: "redacted_thinking", data: t.data ?? "" }
          : { type: "thinking", thinking: "", signature: "" };
      index = this.start(out, "thinking", block);
      this.thoughts.set(t.index, index);
    }
    if (t.type === "redacted_thinking") return;
    if (t.thinking)
      out.push(event("content_block_delta", { index, delta: { type: "thinking_delta", thinking: t.thinking } }));
    if (t.signature)
      out.push(event("content_block_delta", { index, delta: { type: "signature_delta", signature: t.signature } }));
  }

  tool(out: string[], call: NonNullable<ChatChunk["choices"][number]["delta"]["tool_calls"]>[number]): void {
    let index = this.tools.get(call.index);
    if (index === undefined) {
      const block = { type: "tool_use", id: call.id ?? randomToolId(), name: call.function?.name ?? "", input: {} };
      index = this.start(out, "tool", block);
      this.tools.set(call.index, index);
    }
    const args = call.function?.arguments;
    // A fragment for a tool block that already closed (interleaved parallel calls) still goes to its own index:
    // the SDKs accumulate by index, and dropping it would corrupt the arguments.
    if (args)
      out.push(event("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: args } }));
  }
}

export async function* encodeAnthropicStream(
  events: AsyncIterable<ChunkEvent>,
  meta: AnthropicStreamMeta,
): AsyncGenerator<string> {
  yield event("message_start", {
    message: {
      id: meta.messageId,
      type: "message",
      role: "assistant",
      model: meta.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: meta.inputTokens ?? 0, output_tokens: 0 },
    },
  });

  const blocks = new BlockWriter();
  let finish: FinishReason | null = null;
  let finished = false;
  let stopSequence: string | null = null;
  let usage: Usage | null = null;
  let deltaSent = false;

  const messageDelta = (): string => {
    deltaSent = true;
    const stop_reason = stopSequence === null ? stopReasonOf(finish) : "stop_sequence";
    const u: Record<string, number> = usage ? { ...anthropicUsageOf(usage) } : { output_tokens: 0 };
    return event("message_delta", { delta: { stop_reason, stop_sequence: stopSequence }, usage: u });
  };

  for await (const { chunk } of events) {
    const out: string[] = [];
    if (chunk.usage) usage = chunk.usage;
    // Anthropic messages have a single answer: other choices (n > 1) cannot be expressed.
    const choice = chunk.choices.find((c) => c.index === 0);
    if (choice && !finished) {
      const d = choice.delta;
      const thought = thinkingDeltaOf(d);
      if (thought !== undefined) blocks.thinking(out, thought);
      const text = d.content || d.refusal;
      if (text) blocks.text(out, text);
      for (const call of d.tool_calls ?? []) blocks.tool(out, call);
      if (choice.finish_reason) {
        finish = choice.finish_reason;
        finished = true;
        if (finish === "stop") stopSequence = matchedStopSequence(choice);
        blocks.close(out);
      }
    }
    if (finished && usage && !deltaSent) out.push(messageDelta());
    for (const s of out) yield s;
  }

  const tail: string[] = [];
  blocks.close(tail);
  if (!deltaSent) tail.push(messageDelta());
  tail.push(event("message_stop", {}));
  for (const s of tail) yield s;
}
