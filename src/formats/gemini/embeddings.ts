import { z } from "zod";
import type { EmbeddingsRequest, EmbeddingsResponse } from "../../canonical/chat";
import { GatewayError } from "../../errors";
import { UpstreamProtocolError } from "../../errors/upstream-protocol-error";

/**
 * OpenAI `/v1/embeddings` ⇄ Gemini `models/{m}:batchEmbedContents`. One Gemini request per input string, in order;
 * `dimensions` maps to `outputDimensionality`. Token-array inputs have no Gemini form and are refused.
 *
 * The answer is always float arrays: `encoding_format: "base64"` is not known here (the parser never sees the
 * request), so applying it is left to the caller.
 */

export interface GeminiEmbedRequest {
  requests: {
    model: string;
    content: { parts: { text: string }[] };
    outputDimensionality?: number;
  }[];
}

export function toGeminiEmbedRequest(req: EmbeddingsRequest, model: string): GeminiEmbedRequest {
  const inputs = typeof req.input === "string" ? [req.input] : req.input;
  const texts = inputs.filter((v): v is string => typeof v === "string");
  if (texts.length !== inputs.length) {
    throw new GatewayError("unsupported_parameter", "token-array embedding input cannot be sent to a Gemini upstream", {
      param: "input",
    });
  }
  const name = `models/${model.replace(/^models\//, "")}`;
  return {
    requests: texts.map((text) => ({
      model: name,
      content: { parts: [{ text }] },
      ...(req.dimensions === undefined ? {} : { outputDimensionality: req.dimensions }),
    })),
  };
}

const BatchEmbedResponse = z.object({
  embeddings: z.array(z.object({ values: z.array(z.number()) })),
  usageMetadata: z.object({ promptTokenCount: z.number().int().nonnegative().optional() }).optional(),
});

/** Gemini's batch endpoint reports no token counts today; usage is 0 then (read it if Google starts sending it). */
export function fromGeminiEmbedResponse(body: unknown, model: string): EmbeddingsResponse {
  const parsed = BatchEmbedResponse.safeParse(body);
  if (!parsed.success) throw new UpstreamProtocolError("Gemini embeddings response has an unexpected shape");
  const tokens = parsed.data.usageMetadata?.promptTokenCount ?? 0;
  return {
    object: "list",
    data: parsed.data.embeddings.map((e, index) => ({ object: "embedding", index, embedding: e.values })),
    model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}
