import { z } from "zod";
import { normalise } from "../vector";
import type { Embedder, EmbedResult } from "./types";

/** The part of the Workers AI binding an embedder uses (`env.AI.run`). */
export interface WorkersAiBinding {
  run(model: string, input: { text: string[] }, options?: Record<string, unknown>): Promise<unknown>;
}

// Text-embedding models answer `{ shape: [n, dims], data: [[...], ...] }`.
const OutputSchema = z.looseObject({ data: z.array(z.array(z.number())).min(1) });

export function isWorkersAiBinding(value: unknown): value is WorkersAiBinding {
  return typeof value === "object" && value !== null && typeof (value as { run?: unknown }).run === "function";
}

export function workersAiEmbedder(binding: WorkersAiBinding, model: string): Embedder {
  return {
    id: `workers-ai:${model}`,
    async embed(text): Promise<EmbedResult> {
      let output: unknown;
      try {
        output = await binding.run(model, { text: [text] });
      } catch (err) {
        return { ok: false, reason: `workers ai failed: ${err instanceof Error ? err.message : String(err)}` };
      }
      const parsed = OutputSchema.safeParse(output);
      const first = parsed.success ? parsed.data.data[0] : undefined;
      const vector = first === undefined ? undefined : normalise(first);
      return vector === undefined
        ? { ok: false, reason: "workers ai returned no usable embedding" }
        : { ok: true, vector };
    },
  };
}
