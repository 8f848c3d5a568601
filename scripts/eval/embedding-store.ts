import { createHash } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync, truncateSync } from "node:fs";
import { join } from "node:path";

/**
 * A disk cache of embeddings keyed by the SHA-256 of the text, so re-runs of the eval skip the model. Two files per
 * model: `keys.txt` (one hash a line) and `vectors.f32` (the rows, float32 little-endian, same order). Both are only
 * appended to, in chunks, so an interrupted run keeps what it embedded; a torn tail is cut back on the next open.
 */

export type Embed = (texts: string[]) => Promise<number[][]>;

export interface EmbeddingStore {
  dims: number;
  get(text: string): Float32Array | undefined;
  /** Embeds the texts not stored yet, `chunk` at a time, persisting after each chunk. */
  fill(texts: readonly string[], embed: Embed, onProgress?: (done: number, total: number) => void): Promise<number>;
}

export const textKey = (text: string): string => createHash("sha256").update(text).digest("hex");

export function openEmbeddingStore(dir: string, dims: number, chunk = 256): EmbeddingStore {
  mkdirSync(dir, { recursive: true });
  const keysPath = join(dir, "keys.txt");
  const vectorsPath = join(dir, "vectors.f32");
  const rowBytes = dims * 4;
  const rows = new Map<string, Float32Array>();

  if (existsSync(keysPath) && existsSync(vectorsPath)) {
    const keys = readFileSync(keysPath, "utf8").split("\n");
    if (keys[keys.length - 1] === "") keys.pop();
    const bytes = readFileSync(vectorsPath);
    const count = Math.min(keys.length, Math.floor(bytes.length / rowBytes));
    if (count !== keys.length || count * rowBytes !== bytes.length) {
      truncateSync(vectorsPath, count * rowBytes);
      truncateSync(
        keysPath,
        keys.slice(0, count).reduce((n, k) => n + k.length + 1, 0),
      );
    }
    // Copy into an aligned buffer: Buffer slices may not start on a 4-byte boundary.
    const all = new Float32Array(new Uint8Array(bytes.subarray(0, count * rowBytes)).buffer);
    for (let i = 0; i < count; i++) rows.set(keys[i] ?? "", all.subarray(i * dims, (i + 1) * dims));
  }

  function append(keys: string[], vectors: number[][]): void {
    const block = new Float32Array(keys.length * dims);
    for (const [i, v] of vectors.entries()) {
      if (v.length !== dims) throw new Error(`embedding has ${v.length} dimensions, store expects ${dims}`);
      block.set(v, i * dims);
    }
    appendFileSync(vectorsPath, new Uint8Array(block.buffer));
    appendFileSync(keysPath, keys.map((k) => `${k}\n`).join(""));
    for (const [i, k] of keys.entries()) rows.set(k, block.subarray(i * dims, (i + 1) * dims));
  }

  return {
    dims,
    get: (text) => rows.get(textKey(text)),
    async fill(texts, embed, onProgress) {
      const todo = new Map<string, string>();
      for (const t of texts) {
        const k = textKey(t);
        if (!rows.has(k)) todo.set(k, t);
      }
      const entries = [...todo.entries()];
      for (let start = 0; start < entries.length; start += chunk) {
        const part = entries.slice(start, start + chunk);
        append(
          part.map(([k]) => k),
          await embed(part.map(([, t]) => t)),
        );
        onProgress?.(Math.min(start + chunk, entries.length), entries.length);
      }
      return entries.length;
    },
  };
}
