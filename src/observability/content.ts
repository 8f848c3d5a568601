import { StreamAssembler } from "../cache/assemble";
import type { ChatMessage, ChatRequest, ChatResponse, ChunkEvent, ToolCall } from "../canonical/chat";
import type { TelemetryContentConfig } from "../policy/types";
import { ATTR } from "./attributes";
import type { Span } from "./span";

/**
 * What a request's root span says about the conversation itself. Finish reasons always (JSON answers set them in the
 * pipeline; streams here, as their chunks pass). Prompt and answer TEXT only when the tenant's policy opts in
 * (`telemetry.capture_content`): then `gen_ai.input.messages` / `gen_ai.output.messages` carry them in the GenAI
 * conventions' JSON shape (`{role, parts: [{type, content}]}`), each text cut at `max_content_chars`.
 */

/** The policy's opt-in, or undefined (the default: no text leaves the gateway in traces). */
export type ContentCapture = TelemetryContentConfig | undefined;

type Part =
  | { type: "text"; content: string }
  | { type: "tool_call"; id: string; name: string; arguments: string }
  | { type: "tool_call_response"; id: string; response: string }
  | { type: string };

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…[${text.length - max} more chars]`;
}

function callParts(calls: readonly ToolCall[] | undefined, max: number): Part[] {
  return (calls ?? []).map((c) => ({
    type: "tool_call",
    id: c.id,
    name: c.function.name,
    arguments: clip(c.function.arguments, max),
  }));
}

function messageParts(m: ChatMessage, max: number): Part[] {
  const parts: Part[] = [];
  if (typeof m.content === "string") {
    if (m.role === "tool")
      parts.push({ type: "tool_call_response", id: m.tool_call_id ?? "", response: clip(m.content, max) });
    else parts.push({ type: "text", content: clip(m.content, max) });
  } else if (Array.isArray(m.content)) {
    // Images and files are named by type only: their bytes are not text, and no trace needs them.
    for (const p of m.content) {
      parts.push(
        p.type === "text" && typeof p.text === "string"
          ? { type: "text", content: clip(p.text, max) }
          : { type: p.type },
      );
    }
  }
  return [...parts, ...callParts(m.tool_calls, max)];
}

/** `gen_ai.input.messages`, when the policy opts in; a no-op otherwise (and when the span does not record). */
export function recordPrompt(span: Span, capture: ContentCapture, req: ChatRequest): void {
  if (capture === undefined || !span.recording) return;
  const max = capture.max_content_chars;
  const messages = req.messages.map((m) => ({ role: m.role, parts: messageParts(m, max) }));
  span.set(ATTR.inputMessages, JSON.stringify(messages));
}

/** `gen_ai.output.messages` of a complete answer, when the policy opts in. */
export function recordAnswer(span: Span, capture: ContentCapture, response: ChatResponse): void {
  if (capture === undefined || !span.recording) return;
  const max = capture.max_content_chars;
  const messages = response.choices.map((c) => {
    const parts: Part[] = [];
    if (typeof c.message.content === "string") parts.push({ type: "text", content: clip(c.message.content, max) });
    return {
      role: c.message.role,
      parts: [...parts, ...callParts(c.message.tool_calls, max)],
      finish_reason: c.finish_reason ?? "null",
    };
  });
  span.set(ATTR.outputMessages, JSON.stringify(messages));
}

/** `gen_ai.response.finish_reasons` in choice order. */
export function recordFinishReasons(span: Span, response: ChatResponse): void {
  if (span.recording)
    span.set(
      ATTR.finishReasons,
      response.choices.map((c) => c.finish_reason ?? "null"),
    );
}

/**
 * Passes a stream's events through unchanged, noting each choice's finish reason (and, with the opt-in, assembling
 * the answer) for the root span, which takes them when the stream ends — before its hold settles and the trace is sent.
 */
export function traceStream(
  events: AsyncIterable<ChunkEvent>,
  span: Span,
  capture: ContentCapture,
): AsyncIterable<ChunkEvent> {
  // Not traced (telemetry off, or unsampled): the stream is handed on as it is, with no extra step per event.
  return span.recording ? tracedEvents(events, span, capture) : events;
}

async function* tracedEvents(
  events: AsyncIterable<ChunkEvent>,
  span: Span,
  capture: ContentCapture,
): AsyncGenerator<ChunkEvent> {
  const finish = new Map<number, string>();
  const answer = capture === undefined ? undefined : new StreamAssembler();
  try {
    for await (const ev of events) {
      for (const c of ev.chunk.choices) if (c.finish_reason !== null) finish.set(c.index, c.finish_reason);
      answer?.add(ev.chunk);
      yield ev;
    }
  } finally {
    if (finish.size > 0) {
      span.set(
        ATTR.finishReasons,
        [...finish.entries()].sort(([a], [b]) => a - b).map(([, reason]) => reason),
      );
    }
    const response = answer?.response();
    if (response !== undefined) recordAnswer(span, capture, response);
  }
}
