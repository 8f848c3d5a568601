import { DEFAULT_EMBEDDING_DIMS, embedText } from "./embeddings";
import { embedTexts, USE_LITE_DIMS } from "./embeddings-use";

/**
 * The embedding models the local origin serves, by model id. `local-embed` is a real neural model (USE-lite);
 * `local-lexical` is the deterministic feature-hashing embedder, kept for tests and for machines where the neural
 * model is unwanted.
 */

export type EmbedResult = { ok: true; vectors: number[][] } | { ok: false; message: string };

export interface LocalEmbedder {
  id: string;
  /** Dimensions when the request names none. */
  defaultDims: number;
  embed(texts: readonly string[], dims: number | undefined): Promise<EmbedResult>;
}

export const USE_LITE_MODEL_ID = "local-embed";
export const LEXICAL_MODEL_ID = "local-lexical";

const useLite: LocalEmbedder = {
  id: USE_LITE_MODEL_ID,
  defaultDims: USE_LITE_DIMS,
  async embed(texts, dims) {
    // USE-lite is not trained for truncation (unlike Matryoshka models), so other sizes are refused, not faked.
    if (dims !== undefined && dims !== USE_LITE_DIMS) {
      return { ok: false, message: `'${USE_LITE_MODEL_ID}' only produces ${USE_LITE_DIMS}-dimensional embeddings.` };
    }
    return { ok: true, vectors: await embedTexts(texts) };
  },
};

const lexical: LocalEmbedder = {
  id: LEXICAL_MODEL_ID,
  defaultDims: DEFAULT_EMBEDDING_DIMS,
  async embed(texts, dims) {
    return { ok: true, vectors: texts.map((t) => embedText(t, dims ?? DEFAULT_EMBEDDING_DIMS)) };
  },
};

export const LOCAL_EMBEDDERS: readonly LocalEmbedder[] = [useLite, lexical];

export function findLocalEmbedder(id: string): LocalEmbedder | undefined {
  return LOCAL_EMBEDDERS.find((e) => e.id === id);
}
