import type { ChatChoice, ChatChunk, ChatResponse, FinishReason, ToolCall, Usage } from "../canonical/chat";

interface ChoiceParts {
  content: string;
  hasContent: boolean;
  refusal: string | undefined;
  tools: Map<number, ToolCall>;
  finish: FinishReason | null;
}

/**
 * Rebuilds the complete answer from a stream's chunks, so a streamed miss can be stored like a JSON one: content and
 * refusals concatenated per choice, tool calls joined by their index (id, name and argument pieces), the last
 * finish reason and usage seen.
 */
export class StreamAssembler {
  private readonly choices = new Map<number, ChoiceParts>();
  private head: ChatChunk | undefined;
  private usage: Usage | undefined;

  add(chunk: ChatChunk): void {
    this.head ??= chunk;
    if (chunk.usage != null) this.usage = chunk.usage;
    for (const c of chunk.choices) {
      let parts = this.choices.get(c.index);
      if (parts === undefined) {
        parts = { content: "", hasContent: false, refusal: undefined, tools: new Map(), finish: null };
        this.choices.set(c.index, parts);
      }
      // The role chunk's `content: ""` is not content: an answer of tool calls alone keeps `content: null`.
      if (typeof c.delta.content === "string" && c.delta.content !== "") {
        parts.content += c.delta.content;
        parts.hasContent = true;
      }
      if (typeof c.delta.refusal === "string") parts.refusal = (parts.refusal ?? "") + c.delta.refusal;
      for (const d of c.delta.tool_calls ?? []) {
        const call = parts.tools.get(d.index) ?? { id: "", type: "function", function: { name: "", arguments: "" } };
        if (d.id !== undefined) call.id = d.id;
        if (d.function?.name !== undefined) call.function.name += d.function.name;
        if (d.function?.arguments !== undefined) call.function.arguments += d.function.arguments;
        parts.tools.set(d.index, call);
      }
      if (c.finish_reason !== null) parts.finish = c.finish_reason;
    }
  }

  /** The answer as one response; undefined when no chunk carried a choice. */
  response(): ChatResponse | undefined {
    const head = this.head;
    if (head === undefined || this.choices.size === 0) return undefined;
    const choices: ChatChoice[] = [...this.choices.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, p]) => {
        const message: ChatChoice["message"] = { role: "assistant", content: p.hasContent ? p.content : null };
        if (p.tools.size > 0) message.tool_calls = [...p.tools.entries()].sort(([a], [b]) => a - b).map(([, t]) => t);
        if (p.refusal !== undefined) message.refusal = p.refusal;
        return { index, message, finish_reason: p.finish };
      });
    const out: ChatResponse = {
      id: head.id,
      object: "chat.completion",
      created: head.created,
      model: head.model,
      choices,
    };
    if (this.usage !== undefined) out.usage = this.usage;
    if (head.system_fingerprint != null) out.system_fingerprint = head.system_fingerprint;
    return out;
  }
}
