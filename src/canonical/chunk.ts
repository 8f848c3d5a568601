import type { ChatChunk, ChunkChoice } from "./chat";

/** A chunk of the same stream as `from` (same id, creation time and model) carrying `choices`. */
export function chunkLike(from: Pick<ChatChunk, "id" | "created" | "model">, choices: ChunkChoice[]): ChatChunk {
  return { id: from.id, object: "chat.completion.chunk", created: from.created, model: from.model, choices };
}
