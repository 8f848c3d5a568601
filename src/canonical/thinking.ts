/**
 * Extended thinking in the canonical shapes, carried as extra fields. A JSON answer carries the blocks as
 * `message.thinking_blocks`; a stream carries them as `delta.thinking` fragments (`index` numbers thinking blocks
 * among themselves), so the Anthropic egress can rebuild the blocks, signatures included, that a client must pass
 * back on its next turn.
 */
export type ThinkingBlock =
  | { type: "thinking"; thinking: string; signature: string }
  | { type: "redacted_thinking"; data: string };

export interface ThinkingDelta {
  index: number;
  /** Present on the fragment that opens a block. */
  type?: "thinking" | "redacted_thinking";
  thinking?: string;
  signature?: string;
  data?: string;
}

/** A thinking block of an upstream answer, or undefined for any other block. */
export function thinkingBlockOf(block: { type: string; [key: string]: unknown }): ThinkingBlock | undefined {
  if (block.type === "thinking" && typeof block.thinking === "string") {
    return {
      type: "thinking",
      thinking: block.thinking,
      signature: typeof block.signature === "string" ? block.signature : "",
    };
  }
  if (block.type === "redacted_thinking" && typeof block.data === "string")
    return { type: "redacted_thinking", data: block.data };
  return undefined;
}

/** The thinking blocks of a canonical message (an extra field), checked. */
export function thinkingBlocksOf(message: Record<string, unknown> | undefined): ThinkingBlock[] {
  const blocks = message?.thinking_blocks;
  if (!Array.isArray(blocks)) return [];
  return blocks.flatMap((b) => (typeof b === "object" && b !== null ? (thinkingBlockOf(b) ?? []) : []));
}

/** The thinking fragment of a canonical chunk delta (an extra field), checked. */
export function thinkingDeltaOf(delta: Record<string, unknown>): ThinkingDelta | undefined {
  const t = delta.thinking;
  if (typeof t !== "object" || t === null || typeof (t as { index?: unknown }).index !== "number") return undefined;
  return t as ThinkingDelta;
}
