export { embeddingsRequestSchema, parseEmbeddingsRequest } from "./client-embeddings-request";
export { chatRequestSchema, type ParseResult, parseChatRequest, TOOL_NAME } from "./client-request";
export { type FieldProblem, firstProblem } from "./issues";
export {
  parseUpstreamChunk,
  parseUpstreamCompletion,
  parseUpstreamEmbeddings,
  upstreamErrorOf,
} from "./upstream-response";
export { parseOpenAIStream } from "./upstream-stream";
