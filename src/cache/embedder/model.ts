import type { EmbeddingsResponse } from "../../canonical/chat";
import { normalise } from "../vector";
import type { Embedder, EmbedResult } from "./types";

/** One call to an OpenAI-compatible `/embeddings` for `text`; the gateway supplies it (provider resolution, routing). */
export type EmbeddingsCall = (
  text: string,
  signal?: AbortSignal,
) => Promise<{ ok: true; response: EmbeddingsResponse } | { ok: false; reason: string }>;

/** An embedder over a policy's `embeddings` model alias (hosted provider or an origin cluster such as TEI/vLLM). */
export function modelEmbedder(alias: string, call: EmbeddingsCall): Embedder {
  return {
    id: `model:${alias}`,
    async embed(text, signal): Promise<EmbedResult> {
      const result = await call(text, signal);
      if (!result.ok) return result;
      const embedding = result.response.data[0]?.embedding;
      // The gateway asks for floats; a base64 answer would mean the upstream ignored encoding_format.
      if (!Array.isArray(embedding)) return { ok: false, reason: "embeddings upstream returned no float vector" };
      const vector = normalise(embedding);
      return vector === undefined
        ? { ok: false, reason: "embeddings upstream returned a zero vector" }
        : { ok: true, vector };
    },
  };
}
