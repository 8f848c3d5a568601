export { type EmbeddingsCall, modelEmbedder } from "./model";
export type { Embedder, EmbedResult } from "./types";
export { isWorkersAiBinding, type WorkersAiBinding, workersAiEmbedder } from "./workers-ai";
