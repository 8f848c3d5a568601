/**
 * Canonical chunk stream → Responses SSE, in the documented order: `response.created`, `response.in_progress`; per
 * output item `response.output_item.added`, then for a message `response.content_part.added`,
 * `response.output_text.delta`* (or `response.refusal.delta`*), `response.output_text.done`,
 * `response.content_part.done`, and for a function call `response.function_call_arguments.delta`*,
 * `response.function_call_arguments.done`; then `response.output_item.done`; finally `response.completed` (or
 * `response.incomplete`) with the whole response and its usage. Every event carries a `sequence_number` from 0.
 * Text opens a message item; a tool call closes it and opens a function_call item. Calls stay open until the finish
 * reason arrives, because parallel calls may interleave their argument fragments. A failure after the first byte
 * becomes an `error` event followed by `response.failed`.
 */
import type { ChunkEvent, FinishReason, ToolCallDelta, Usage } from "../../canonical/chat";
import { GatewayError } from "../../errors";
import { encodeSse } from "../../streaming/sse";
import { itemId, type ResponseIds, responseObject, responsesUsage, statusOf } from "./client-response";
import type { FunctionCallItem, MessageItem, OutputItem, ResponseEcho, ResponseObject } from "./types";

export interface ResponsesStreamMeta {
  ids: ResponseIds;
  echo: ResponseEcho;
  model: string;
  /** Seconds since the epoch, for `completed_at`. */
  now: () => number;
}

interface OpenMessage {
  outputIndex: number;
  item: MessageItem;
  /** The content part being written, if any. */
  part?: { index: number; kind: "text" | "refusal"; text: string };
}

class ResponsesWriter {
  private seq = 0;
  readonly output: OutputItem[] = [];
  private message: OpenMessage | undefined;
  /** Canonical tool-call index → its output item, while open. */
  private readonly calls = new Map<number, { outputIndex: number; item: FunctionCallItem }>();

  constructor(private readonly meta: ResponsesStreamMeta) {}

  event(type: string, payload: Record<string, unknown>): string {
    return encodeSse(JSON.stringify({ type, ...payload, sequence_number: this.seq++ }), type);
  }

  snapshot(rest: Partial<ResponseObject> = {}): ResponseObject {
    return responseObject(this.meta.ids, this.meta.echo, this.meta.model, { output: this.output, ...rest });
  }

  text(out: string[], kind: "text" | "refusal", delta: string): void {
    const message = this.message ?? this.openMessage(out);
    if (message.part?.kind !== kind) {
      this.closePart(out, message);
      const index = message.item.content.length;
      const part =
        kind === "text"
          ? { type: "output_text", text: "", annotations: [], logprobs: [] }
          : { type: "refusal", refusal: "" };
      message.item.content.push(part as MessageItem["content"][number]);
      message.part = { index, kind, text: "" };
      out.push(this.event("response.content_part.added", { ...this.at(message, index), part }));
    }
    const part = message.part as NonNullable<OpenMessage["part"]>;
    part.text += delta;
    const content = message.item.content[part.index];
    if (content?.type === "output_text") content.text = part.text;
    else if (content?.type === "refusal") content.refusal = part.text;
    const type = kind === "text" ? "response.output_text.delta" : "response.refusal.delta";
    out.push(
      this.event(type, { ...this.at(message, part.index), delta, ...(kind === "text" ? { logprobs: [] } : {}) }),
    );
  }

  tool(out: string[], call: ToolCallDelta): void {
    this.closeMessage(out, "completed");
    let open = this.calls.get(call.index);
    if (open === undefined) {
      const outputIndex = this.output.length;
      const item: FunctionCallItem = {
        id: itemId(this.meta.ids, "fc", outputIndex),
        type: "function_call",
        status: "in_progress",
        call_id: call.id ?? `call_${crypto.randomUUID().replaceAll("-", "")}`,
        name: call.function?.name ?? "",
        arguments: "",
      };
      this.output.push(item);
      open = { outputIndex, item };
      this.calls.set(call.index, open);
      out.push(this.event("response.output_item.added", { output_index: outputIndex, item }));
    }
    const delta = call.function?.arguments;
    if (delta) {
      open.item.arguments += delta;
      out.push(
        this.event("response.function_call_arguments.delta", {
          item_id: open.item.id,
          output_index: open.outputIndex,
          delta,
        }),
      );
    }
  }

  /** Closes every open item: the message with `status`, the calls as completed. */
  finish(out: string[], messageStatus: MessageItem["status"]): void {
    this.closeMessage(out, messageStatus);
    for (const { outputIndex, item } of this.calls.values()) {
      const at = { item_id: item.id, output_index: outputIndex };
      out.push(
        this.event("response.function_call_arguments.done", { ...at, name: item.name, arguments: item.arguments }),
      );
      item.status = "completed";
      out.push(this.event("response.output_item.done", { output_index: outputIndex, item }));
    }
    this.calls.clear();
  }

  private openMessage(out: string[]): OpenMessage {
    const outputIndex = this.output.length;
    const item: MessageItem = {
      id: itemId(this.meta.ids, "msg", outputIndex),
      type: "message",
      status: "in_progress",
      role: "assistant",
      content: [],
    };
    out.push(this.event("response.output_item.added", { output_index: outputIndex, item }));
    this.output.push(item);
    this.message = { outputIndex, item };
    return this.message;
  }

  private at(message: OpenMessage, contentIndex: number) {
    return { item_id: message.item.id, output_index: message.outputIndex, content_index: contentIndex };
  }

  private closePart(out: string[], message: OpenMessage): void {
    const part = message.part;
    if (part === undefined) return;
    const at = this.at(message, part.index);
    if (part.kind === "text")
      out.push(this.event("response.output_text.done", { ...at, text: part.text, logprobs: [] }));
    else out.push(this.event("response.refusal.done", { ...at, refusal: part.text }));
    out.push(this.event("response.content_part.done", { ...at, part: message.item.content[part.index] }));
    message.part = undefined;
  }

  private closeMessage(out: string[], status: MessageItem["status"]): void {
    const message = this.message;
    if (message === undefined) return;
    this.closePart(out, message);
    message.item.status = status;
    out.push(this.event("response.output_item.done", { output_index: message.outputIndex, item: message.item }));
    this.message = undefined;
  }
}

/** The error reported in-band, with the gateway's code (as in the JSON error envelope). */
function failure(err: unknown): { code: string; message: string } {
  const error =
    err instanceof GatewayError ? err : new GatewayError("upstream_error", "Upstream stream failed after it started.");
  return { code: error.code, message: error.message };
}

export async function* encodeResponsesStream(
  events: AsyncIterable<ChunkEvent>,
  meta: ResponsesStreamMeta,
): AsyncGenerator<string> {
  const w = new ResponsesWriter(meta);
  yield w.event("response.created", { response: w.snapshot() });
  yield w.event("response.in_progress", { response: w.snapshot() });

  let finish: FinishReason | null = null;
  let usage: Usage | null = null;
  try {
    for await (const { chunk } of events) {
      const out: string[] = [];
      if (chunk.usage) usage = chunk.usage;
      // A response has one answer: other choices (n > 1) cannot be expressed.
      const choice = chunk.choices.find((c) => c.index === 0);
      if (choice !== undefined && finish === null) {
        const d = choice.delta;
        if (d.content) w.text(out, "text", d.content);
        if (d.refusal) w.text(out, "refusal", d.refusal);
        for (const call of d.tool_calls ?? []) w.tool(out, call);
        if (choice.finish_reason) {
          finish = choice.finish_reason;
          w.finish(out, statusOf(finish).status === "incomplete" ? "incomplete" : "completed");
        }
      }
      for (const frame of out) yield frame;
    }
  } catch (err) {
    const { code, message } = failure(err);
    yield w.event("error", { code, message, param: null });
    yield w.event("response.failed", {
      response: w.snapshot({
        status: "failed",
        error: { code, message },
        usage: usage === null ? null : responsesUsage(usage),
      }),
    });
    return;
  }

  const tail: string[] = [];
  if (finish === null) w.finish(tail, "completed");
  const status = statusOf(finish ?? "stop");
  const type = status.status === "completed" ? "response.completed" : "response.incomplete";
  const final = w.snapshot({
    ...status,
    usage: usage === null ? null : responsesUsage(usage),
    ...(status.status === "completed" ? { completed_at: meta.now() } : {}),
  });
  tail.push(w.event(type, { response: final }));
  for (const frame of tail) yield frame;
}
