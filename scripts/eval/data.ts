import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";

/** One labelled candidate hit: `query` looks up the cache and finds `entry`; `duplicate` says a hit would be right. */
export interface LabelledPair {
  query: string;
  entry: string;
  duplicate: boolean;
  source: "qqp" | "arena" | "paraphrase";
}

export const DATA_DIR = resolve(import.meta.dirname, "../../../shared/data/cache");
export const QQP_FILE = "qqp-dev.jsonl";
export const ARENA_FILE = "arena-hard-v0.1-questions.jsonl";
/** GPTCache's paraphrase examples (origin / similar answers about one library's docs): another dataset's style. */
export const PARAPHRASE_FILE = "gptcache-paraphrases-dev.json";

const QqpRow = z.object({ a: z.string(), b: z.string(), duplicate: z.boolean() });
const ArenaRow = z.object({ uid: z.string(), cluster: z.string(), prompt: z.string() });
const ParaphraseRows = z.array(z.object({ origin: z.string(), similar: z.string() }));

function jsonLines<T>(path: string, schema: z.ZodType<T>): T[] {
  const rows: T[] = [];
  for (const [i, line] of readFileSync(path, "utf8").split("\n").entries()) {
    if (line.trim() === "") continue;
    const parsed = schema.safeParse(JSON.parse(line));
    if (!parsed.success) throw new Error(`${path}:${i + 1}: ${parsed.error.issues[0]?.message ?? "bad row"}`);
    rows.push(parsed.data);
  }
  return rows;
}

export function qqpPairs(rows: readonly z.infer<typeof QqpRow>[]): LabelledPair[] {
  return rows.map((r) => ({ query: r.a, entry: r.b, duplicate: r.duplicate, source: "qqp" }));
}

/** Every pair of prompts inside one topic cluster is a negative: same topic, different question. */
export function arenaPairs(rows: readonly z.infer<typeof ArenaRow>[]): LabelledPair[] {
  const clusters = new Map<string, string[]>();
  for (const r of rows) clusters.set(r.cluster, [...(clusters.get(r.cluster) ?? []), r.prompt]);
  const pairs: LabelledPair[] = [];
  for (const prompts of clusters.values()) {
    for (let i = 0; i < prompts.length; i++) {
      for (let j = i + 1; j < prompts.length; j++) {
        pairs.push({ query: prompts[i] ?? "", entry: prompts[j] ?? "", duplicate: false, source: "arena" });
      }
    }
  }
  return pairs;
}

/**
 * Each origin with its paraphrase is a duplicate; each origin with the NEXT row's paraphrase is a negative (same
 * documentation, same style, a different statement), so the set measures false hits as well as hits.
 */
export function paraphrasePairs(rows: readonly z.infer<typeof ParaphraseRows>[number][]): LabelledPair[] {
  const pairs: LabelledPair[] = [];
  rows.forEach((r, i) => {
    pairs.push({ query: r.similar, entry: r.origin, duplicate: true, source: "paraphrase" });
    const other = rows[(i + 1) % rows.length];
    if (rows.length > 1 && other !== undefined && other.origin !== r.origin) {
      pairs.push({ query: other.similar, entry: r.origin, duplicate: false, source: "paraphrase" });
    }
  });
  return pairs;
}

export type LoadedData =
  | { ok: true; qqp: LabelledPair[]; arena: LabelledPair[]; paraphrase: LabelledPair[] }
  | { ok: false; missing: string[] };

export function loadEvalData(dir: string = DATA_DIR): LoadedData {
  const qqpPath = resolve(dir, QQP_FILE);
  const arenaPath = resolve(dir, ARENA_FILE);
  const missing = [qqpPath, arenaPath].filter((p) => !existsSync(p));
  if (missing.length > 0) return { ok: false, missing };
  const paraphrasePath = resolve(dir, PARAPHRASE_FILE);
  // Optional: the transfer check is reported when the file is there.
  const paraphrase = existsSync(paraphrasePath)
    ? paraphrasePairs(ParaphraseRows.parse(JSON.parse(readFileSync(paraphrasePath, "utf8"))))
    : [];
  return {
    ok: true,
    qqp: qqpPairs(jsonLines(qqpPath, QqpRow)),
    arena: arenaPairs(jsonLines(arenaPath, ArenaRow)),
    paraphrase,
  };
}
