/** The incoming OpenAI Embeddings request. Unknown fields are kept for OpenAI-compatible upstreams. */
import { z } from "zod";
import type { EmbeddingsRequest } from "../../canonical/chat";
import type { ParseResult } from "./client-request";
import { firstProblem } from "./issues";

const text = z.string().min(1);
const tokenIds = z.array(z.int().min(0)).min(1);

export const embeddingsRequestSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([text, z.array(text).min(1), tokenIds, z.array(tokenIds).min(1)]),
  encoding_format: z
    .enum(["float", "base64"])
    .nullish()
    .transform((v) => v ?? undefined),
  dimensions: z
    .int()
    .min(1)
    .nullish()
    .transform((v) => v ?? undefined),
  user: z
    .string()
    .nullish()
    .transform((v) => v ?? undefined),
});

export function parseEmbeddingsRequest(json: unknown): ParseResult<EmbeddingsRequest> {
  const result = embeddingsRequestSchema.safeParse(json);
  if (!result.success) return { ok: false, ...firstProblem(result.error) };
  return { ok: true, value: result.data };
}
