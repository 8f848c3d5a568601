export { chatRequestSchema, type ParseResult, parseChatRequest, TOOL_NAME } from "./chat-request";
export { embeddingsRequestSchema, parseEmbeddingsRequest } from "./embeddings-request";
export { type FieldProblem, firstProblem } from "./issues";
export { parseOpenAIStream } from "./stream";
export { parseUpstreamChunk, parseUpstreamCompletion, parseUpstreamEmbeddings, upstreamErrorOf } from "./upstream";
