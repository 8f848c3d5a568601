/**
 * An Anthropic upstream's SSE stream → canonical chunks, one per meaningful event, yielded as each event arrives.
 * The chunk for message_delta carries finish_reason and the final usage (prompt from message_start or the delta's
 * cumulative counts, completion from the delta's cumulative output_tokens).
 */
import type { ChatChunk, ChunkChoice, ChunkEvent, Usage } from "../../canonical/chat";
import { thinkingBlockOf } from "../../canonical/thinking";
import { UpstreamProtocolError } from "../../errors/upstream-protocol-error";
import { parseSse } from "../../streaming/sse";
import {
  contentBlockDeltaSchema,
  contentBlockStartSchema,
  messageDeltaSchema,
  messageStartSchema,
  streamErrorSchema,
} from "./response-schema";
import { finishReasonOf } from "./stop-reason";
import { canonicalUsage, type PromptUsage } from "./upstream-response";

type Schema<T> = { safeParse(v: unknown): { success: true; data: T } | { success: false } };

function parseEvent<T>(schema: Schema<T>, value: unknown, type: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new UpstreamProtocolError(`Anthropic stream: malformed ${type} event`);
  return parsed.data;
}

function jsonOf(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    throw new UpstreamProtocolError("Anthropic stream: event data is not JSON");
  }
}

function typeOf(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || !("type" in value)) return undefined;
  return typeof value.type === "string" ? value.type : undefined;
}

export async function* decodeAnthropicStream(
  body: ReadableStream<Uint8Array>,
  upstreamModel: string,
): AsyncGenerator<ChunkEvent> {
  let id = "";
  let model = upstreamModel;
  const created = Math.floor(Date.now() / 1000);
  /** Prompt counts from message_start, replaced by message_delta's cumulative ones when it repeats them. */
  let prompt: PromptUsage = {};
  let started = false;
  let stopped = false;
  /** Anthropic block index → OpenAI tool_call index (tool calls are numbered among themselves). */
  const toolIndex = new Map<number, number>();
  /** Anthropic block index → thinking block index (thinking blocks are numbered among themselves). */
  const thinkingIndex = new Map<number, number>();

  const chunk = (choice: ChunkChoice, usage?: Usage): ChunkEvent => {
    const c: ChatChunk = { id, object: "chat.completion.chunk", created, model, choices: [choice] };
    if (usage) c.usage = usage;
    return { chunk: c };
  };
  const delta = (d: ChunkChoice["delta"]): ChunkEvent => chunk({ index: 0, delta: d, finish_reason: null });

  for await (const sse of parseSse(body)) {
    const value = jsonOf(sse.data);
    const type = typeOf(value) ?? sse.event;
    if (type !== "message_start" && type !== "error" && type !== "ping" && !started) {
      throw new UpstreamProtocolError(`Anthropic stream: ${type ?? "untyped"} event before message_start`);
    }
    switch (type) {
      case "message_start": {
        const ev = parseEvent(messageStartSchema, value, type);
        id = ev.message.id;
        model = ev.message.model;
        prompt = ev.message.usage;
        started = true;
        yield delta({ role: "assistant", content: "" });
        break;
      }
      case "content_block_start": {
        const ev = parseEvent(contentBlockStartSchema, value, type);
        const block = ev.content_block;
        const thought = thinkingBlockOf(block);
        if (thought !== undefined) {
          const index = thinkingIndex.size;
          thinkingIndex.set(ev.index, index);
          yield delta({ thinking: { index, ...thought } });
        } else if (block.type === "text" && typeof block.text === "string" && block.text !== "") {
          yield delta({ content: block.text });
        } else if (block.type === "tool_use" && typeof block.id === "string" && typeof block.name === "string") {
          const index = toolIndex.size;
          toolIndex.set(ev.index, index);
          yield delta({
            tool_calls: [{ index, id: block.id, type: "function", function: { name: block.name, arguments: "" } }],
          });
        }
        break;
      }
      case "content_block_delta": {
        const ev = parseEvent(contentBlockDeltaSchema, value, type);
        const d = ev.delta;
        if (d.type === "text_delta" && typeof d.text === "string") {
          if (d.text !== "") yield delta({ content: d.text });
        } else if (d.type === "input_json_delta" && typeof d.partial_json === "string") {
          const index = toolIndex.get(ev.index);
          if (index === undefined)
            throw new UpstreamProtocolError("Anthropic stream: input_json_delta outside a tool_use block");
          if (d.partial_json !== "") yield delta({ tool_calls: [{ index, function: { arguments: d.partial_json } }] });
        } else if (d.type === "thinking_delta" || d.type === "signature_delta") {
          const index = thinkingIndex.get(ev.index);
          if (index === undefined)
            throw new UpstreamProtocolError(`Anthropic stream: ${d.type} outside a thinking block`);
          const value = d.type === "thinking_delta" ? d.thinking : d.signature;
          if (typeof value === "string" && value !== "") {
            yield delta({
              thinking: d.type === "thinking_delta" ? { index, thinking: value } : { index, signature: value },
            });
          }
        }
        // citations_delta: no Chat Completions equivalent.
        break;
      }
      case "message_delta": {
        const ev = parseEvent(messageDeltaSchema, value, type);
        const u = ev.usage;
        if (
          u &&
          (u.input_tokens != null || u.cache_read_input_tokens != null || u.cache_creation_input_tokens != null)
        ) {
          prompt = u;
        }
        const completion = u?.output_tokens ?? 0;
        const choice: ChunkChoice = {
          index: 0,
          delta: {},
          finish_reason: finishReasonOf(ev.delta.stop_reason) ?? "stop",
        };
        if (typeof ev.delta.stop_sequence === "string") Object.assign(choice, { stop_reason: ev.delta.stop_sequence });
        yield chunk(choice, canonicalUsage(prompt, completion));
        break;
      }
      case "message_stop":
        stopped = true;
        break;
      case "error": {
        const ev = streamErrorSchema.safeParse(value);
        const detail = ev.success ? `${ev.data.error.type}: ${(ev.data.error.message ?? "").slice(0, 200)}` : "unknown";
        throw new UpstreamProtocolError(`Anthropic stream error (${detail})`);
      }
      default:
        // ping, content_block_stop, and event types added after this was written.
        break;
    }
    if (stopped) return;
  }
  throw new UpstreamProtocolError("Anthropic stream ended before message_stop");
}
