/**
 * ConverseStream (binary event stream) → canonical chunks, each yielded as its frame arrives. Events: messageStart,
 * contentBlockStart (a tool call's id and name), contentBlockDelta (text or a slice of tool input JSON),
 * contentBlockStop, messageStop (the stop reason) and metadata (usage, last). An exception frame
 * (`:message-type: exception`, e.g. a throttling or model-stream error) or a stream that ends before messageStop
 * throws: the client must not get a cut answer as if it were whole.
 */
import { z } from "zod";
import type { ChatChunk, ChunkChoice, ChunkEvent, Usage } from "../../canonical/chat";
import { UpstreamProtocolError } from "../../errors/upstream-protocol-error";
import { decodeEventStream, type EventStreamMessage } from "./event-stream";
import { canonicalUsage, converseUsageSchema, finishReasonOf } from "./upstream-response";

const eventSchemas = {
  messageStart: z.looseObject({ role: z.string() }),
  contentBlockStart: z.looseObject({
    contentBlockIndex: z.int().min(0),
    start: z.looseObject({ toolUse: z.looseObject({ toolUseId: z.string(), name: z.string() }).optional() }),
  }),
  contentBlockDelta: z.looseObject({
    contentBlockIndex: z.int().min(0),
    delta: z.looseObject({
      text: z.string().optional(),
      toolUse: z.looseObject({ input: z.string() }).optional(),
    }),
  }),
  contentBlockStop: z.looseObject({ contentBlockIndex: z.int().min(0) }),
  messageStop: z.looseObject({ stopReason: z.string() }),
  metadata: z.looseObject({ usage: converseUsageSchema.optional() }),
};

const utf8 = new TextDecoder();

function header(message: EventStreamMessage, name: string): string | undefined {
  const value = message.headers[name];
  return typeof value === "string" ? value : undefined;
}

function payloadOf(message: EventStreamMessage): unknown {
  try {
    return JSON.parse(utf8.decode(message.payload));
  } catch {
    throw new UpstreamProtocolError("Bedrock stream event payload is not JSON");
  }
}

export async function* decodeConverseStream(
  body: ReadableStream<Uint8Array>,
  model: string,
): AsyncGenerator<ChunkEvent> {
  const id = `chatcmpl-${crypto.randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  const chunk = (choices: ChunkChoice[], usage?: Usage): ChunkEvent => {
    const out: ChatChunk = { id, object: "chat.completion.chunk", created, model, choices };
    if (usage !== undefined) out.usage = usage;
    return { chunk: out };
  };
  let started = false;
  let stopReason: string | undefined;
  /** Converse content-block index → OpenAI tool-call index. */
  const toolIndex = new Map<number, number>();
  const delta = (d: ChunkChoice["delta"]): ChunkEvent => {
    const withRole: ChunkChoice["delta"] = started ? d : { role: "assistant", ...d };
    started = true;
    return chunk([{ index: 0, delta: withRole, finish_reason: null }]);
  };

  for await (const message of decodeEventStream(body)) {
    const kind = header(message, ":message-type");
    if (kind === "exception" || kind === "error") {
      // AWS's message text is kept out: it may quote the request, and this can reach logs and clients.
      const type = header(message, ":exception-type") ?? header(message, ":error-code") ?? "unknown";
      throw new UpstreamProtocolError(`Bedrock stream failed mid-answer (${type})`);
    }
    const type = header(message, ":event-type");
    if (type === undefined || !(type in eventSchemas)) continue; // Future event types carry nothing we map.
    const parsed = eventSchemas[type as keyof typeof eventSchemas].safeParse(payloadOf(message));
    if (!parsed.success) throw new UpstreamProtocolError(`Bedrock ${type} event has an unexpected shape`);
    const event = parsed.data as Record<string, unknown>;
    if (type === "contentBlockStart") {
      const start = (event as z.infer<typeof eventSchemas.contentBlockStart>).start.toolUse;
      const block = (event as z.infer<typeof eventSchemas.contentBlockStart>).contentBlockIndex;
      if (start === undefined) continue;
      const index = toolIndex.size;
      toolIndex.set(block, index);
      yield delta({
        tool_calls: [{ index, id: start.toolUseId, type: "function", function: { name: start.name, arguments: "" } }],
      });
    } else if (type === "contentBlockDelta") {
      const e = event as z.infer<typeof eventSchemas.contentBlockDelta>;
      if (e.delta.text !== undefined && e.delta.text !== "") yield delta({ content: e.delta.text });
      else if (e.delta.toolUse !== undefined) {
        const index = toolIndex.get(e.contentBlockIndex);
        if (index === undefined) throw new UpstreamProtocolError("Bedrock tool input delta for a block never started");
        yield delta({ tool_calls: [{ index, function: { arguments: e.delta.toolUse.input } }] });
      }
    } else if (type === "messageStop") {
      stopReason = (event as z.infer<typeof eventSchemas.messageStop>).stopReason;
      const finish = finishReasonOf(stopReason);
      yield chunk([{ index: 0, delta: started ? {} : { role: "assistant" }, finish_reason: finish }]);
      started = true;
    } else if (type === "metadata") {
      const usage = (event as z.infer<typeof eventSchemas.metadata>).usage;
      if (usage !== undefined) yield chunk([], canonicalUsage(usage));
    }
  }
  if (stopReason === undefined) throw new UpstreamProtocolError("Bedrock stream ended without messageStop");
}
