import type { ChatResponse } from "../canonical/chat";
import { parseUpstreamCompletion } from "../formats/openai/upstream-response";
import { MAX_ANSWER_BYTES } from "./types";

/** Stored answers are canonical chat responses, serialised; read back through the same parser as an upstream's. */
export function serialiseAnswer(response: ChatResponse): string | undefined {
  const text = JSON.stringify(response);
  return new TextEncoder().encode(text).length <= MAX_ANSWER_BYTES ? text : undefined;
}

export function parseAnswer(text: string, fallbackModel: string): ChatResponse | undefined {
  try {
    return parseUpstreamCompletion(JSON.parse(text), fallbackModel);
  } catch {
    return undefined;
  }
}

export function hasToolCalls(response: ChatResponse): boolean {
  return response.choices.some((c) => (c.message.tool_calls?.length ?? 0) > 0 || c.finish_reason === "tool_calls");
}

/** A stored answer as a fresh response to this request: new id and time, the original content and usage. */
export function asFreshResponse(stored: ChatResponse, id: string, created: number): ChatResponse {
  return { ...stored, id, created };
}
