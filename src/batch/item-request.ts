import type { ChatRequest, EmbeddingsRequest } from "../canonical/chat";
import { GatewayError } from "../errors";
import { parseEmbeddingsRequest } from "../formats/openai/client-embeddings-request";
import { parseChatRequest } from "../formats/openai/client-request";
import { responsesToCanonical } from "../formats/responses/client-request";
import { parseResponsesRequest, type ResponsesRequest } from "../formats/responses/request-schema";
import type { BatchItem } from "./types";

/** A batch item parsed as its endpoint parses it; chat and Responses items also as the canonical chat request. */
export type ParsedItem =
  | { kind: "embeddings"; req: EmbeddingsRequest }
  | { kind: "chat"; chat: ChatRequest }
  | { kind: "responses"; req: ResponsesRequest; chat: ChatRequest };

/** Parses an item's body; a body its endpoint refuses is the item's `invalid_request` answer. */
export function parseItem(item: BatchItem): ParsedItem {
  const json: unknown = JSON.parse(item.body);
  if (item.url === "/v1/embeddings") {
    const parsed = parseEmbeddingsRequest(json);
    if (!parsed.ok) throw new GatewayError("invalid_request", parsed.message, { param: parsed.param });
    return { kind: "embeddings", req: parsed.value };
  }
  if (item.url === "/v1/responses") {
    const parsed = parseResponsesRequest(json);
    if (!parsed.ok) throw new GatewayError("invalid_request", parsed.message, { param: parsed.param });
    return { kind: "responses", req: parsed.value, chat: responsesToCanonical(parsed.value) };
  }
  const parsed = parseChatRequest(json);
  if (!parsed.ok) throw new GatewayError("invalid_request", parsed.message, { param: parsed.param });
  return { kind: "chat", chat: parsed.value };
}
