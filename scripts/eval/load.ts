import { join } from "node:path";
import { embedTexts, USE_LITE_DIMS } from "../../local/embeddings-use";
import { type LabelledPair, loadEvalData } from "./data";
import { openEmbeddingStore } from "./embedding-store";
import type { EvalOptions } from "./options";
import { type PairFacts, pairFacts } from "./pair-facts";
import { seededSample } from "./random";

export interface LoadedFacts {
  ok: true;
  qqp: LabelledPair[];
  arena: LabelledPair[];
  /** GPTCache-style paraphrase pairs (empty when the file is absent); never used for calibration. */
  paraphrase: LabelledPair[];
  /** One per pair, QQP first, then arena, then the paraphrase set. */
  facts: PairFacts[];
  /** Texts embedded by this run (0 when all came from the cache) and the wall time it took. */
  embedded: number;
  embedMs: number;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] ?? 0) * (b[i] ?? 0);
  return s;
}

/**
 * The labelled pairs with their USE-lite cosines, embedding whatever the disk cache (bench/.out/eval-cache) lacks.
 * USE-lite vectors are unit length, so the dot product is the cosine.
 */
export async function loadFacts(o: EvalOptions): Promise<LoadedFacts | { ok: false; missing: string[] }> {
  const data = loadEvalData(o.dataDir);
  if (!data.ok) return data;
  const qqp = o.limit === undefined ? data.qqp : seededSample(data.qqp, o.limit, o.seed);
  const pairs = [...qqp, ...data.arena, ...data.paraphrase];
  const texts = [...new Set(pairs.flatMap((p) => [p.query, p.entry]))];
  const store = openEmbeddingStore(join(o.cacheDir, "use-lite"), USE_LITE_DIMS);
  const started = performance.now();
  const embedded = await store.fill(texts, embedTexts, (done, total) => {
    const perText = (performance.now() - started) / done;
    process.stderr.write(`\rembedding with USE-lite: ${done}/${total} (${perText.toFixed(1)} ms/text)   `);
  });
  if (embedded > 0) process.stderr.write("\n");
  const embedMs = performance.now() - started;
  const facts = pairs.map((p) => {
    const a = store.get(p.query);
    const b = store.get(p.entry);
    if (a === undefined || b === undefined) throw new Error("embedding missing after fill");
    return pairFacts(p, dot(a, b));
  });
  return { ok: true, qqp, arena: data.arena, paraphrase: data.paraphrase, facts, embedded, embedMs };
}
