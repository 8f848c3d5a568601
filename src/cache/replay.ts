import type { ChatChunk, ChatResponse, ChunkChoice, ChunkEvent } from "../canonical/chat";
import { chunkLike } from "../canonical/chunk";

/** Characters of content per replayed chunk: a cached answer streams in pieces, as a live one would. */
const PIECE_CHARS = 32;

/** Splits text into pieces of about `size` characters, cutting after whitespace where it can. */
export function splitText(text: string, size = PIECE_CHARS): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > size) {
    const space = rest.lastIndexOf(" ", size - 1);
    const cut = space > 0 ? space + 1 : size;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest.length > 0 || out.length === 0) out.push(rest);
  return out;
}

/**
 * A stored answer as the chunks of a stream, in the order an OpenAI-compatible upstream sends them, per choice: the
 * role, the content in pieces, any refusal, each tool call (id and name, then its arguments), the finish reason; then
 * one usage chunk with no choices (encoders drop it unless the client asked for usage).
 */
export function replayChunks(response: ChatResponse): ChatChunk[] {
  const chunk = (choices: ChunkChoice[], usage?: ChatChunk["usage"]): ChatChunk => {
    const c = chunkLike(response, choices);
    if (usage !== undefined) c.usage = usage;
    if (response.system_fingerprint != null) c.system_fingerprint = response.system_fingerprint;
    return c;
  };
  const out: ChatChunk[] = [];
  for (const choice of response.choices) {
    const { index, message } = choice;
    out.push(chunk([{ index, delta: { role: "assistant", content: "" }, finish_reason: null }]));
    if (typeof message.content === "string" && message.content !== "") {
      for (const piece of splitText(message.content)) {
        out.push(chunk([{ index, delta: { content: piece }, finish_reason: null }]));
      }
    }
    if (typeof message.refusal === "string") {
      out.push(chunk([{ index, delta: { refusal: message.refusal }, finish_reason: null }]));
    }
    (message.tool_calls ?? []).forEach((call, i) => {
      const head = {
        index: i,
        id: call.id,
        type: "function" as const,
        function: { name: call.function.name, arguments: "" },
      };
      out.push(chunk([{ index, delta: { tool_calls: [head] }, finish_reason: null }]));
      out.push(
        chunk([
          {
            index,
            delta: { tool_calls: [{ index: i, function: { arguments: call.function.arguments } }] },
            finish_reason: null,
          },
        ]),
      );
    });
    out.push(chunk([{ index, delta: {}, finish_reason: choice.finish_reason ?? "stop" }]));
  }
  if (response.usage !== undefined) out.push(chunk([], response.usage));
  return out;
}

export async function* replayEvents(response: ChatResponse): AsyncGenerator<ChunkEvent> {
  for (const chunk of replayChunks(response)) yield { chunk };
}
