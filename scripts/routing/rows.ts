import { ANSWER_FEATURES, answerFeatures } from "../../src/routing/router/answer-features";
import { LEXICAL_FEATURES, lexicalFeatures } from "../../src/routing/router/features";
import { failedChecks } from "../../src/routing/router/verifier";
import type { EmbeddingStore } from "../eval/embedding-store";
import { promptTokens } from "./costs";
import type { Row } from "./cross-fit";
import type { Outcome } from "./data";

/** The router's lexical features, all of them: a labelled prompt is a one-message request without tools. */
export const ROUTER_LEXICAL = LEXICAL_FEATURES;
/** The verifier's answer features. */
export const VERIFIER_FEATURES = ANSWER_FEATURES;

export function routerRow(o: Outcome, store: EmbeddingStore | undefined): Row {
  const extra = lexicalFeatures(
    { text: o.prompt, estimatedTokens: promptTokens(o.prompt), turns: 1, hasTools: false, hasResponseFormat: false },
    ROUTER_LEXICAL,
  );
  const row: Row = { group: o.group, cheapCorrect: o.cheapCorrect, premiumCorrect: o.premiumCorrect, extra };
  if (store !== undefined) {
    const embedding = store.get(o.prompt);
    if (embedding === undefined) throw new Error("a prompt has no embedding after the fill");
    row.embedding = embedding;
  }
  return row;
}

/**
 * One row per GSM8K answer; the group is the row itself (problems are independent), set by the caller. An answer
 * that fails a deterministic check escalates in the Worker whatever the model says (`scoreVerifier`), so the eval
 * forces it too.
 */
export function verifierRow(o: Outcome, group: string): Row {
  const facts = { prompt: o.prompt, answer: o.cheapAnswer ?? "" };
  const row: Row = {
    group,
    cheapCorrect: o.cheapCorrect,
    premiumCorrect: o.premiumCorrect,
    extra: answerFeatures(facts, VERIFIER_FEATURES),
  };
  if (failedChecks(facts).length > 0) row.forced = true;
  return row;
}

/** The first `n` prompts of every MMLU subject (file order): a fast, deterministic subset. */
export function capPerSubject(rows: readonly Outcome[], n: number | undefined): Outcome[] {
  if (n === undefined) return [...rows];
  const seen = new Map<string, number>();
  return rows.filter((r) => {
    const k = seen.get(r.group) ?? 0;
    seen.set(r.group, k + 1);
    return k < n;
  });
}

/**
 * MMLU prompts in the order the embedding cache is filled: round-robin over subjects by their index in the file, so
 * whatever an interrupted fill stored is exactly the first k prompts of every subject (what `--per-subject k` uses).
 */
export function roundRobinBySubject(rows: readonly Outcome[]): Outcome[] {
  const index = new Map<string, number>();
  const ranked = rows.map((r, i) => {
    const k = index.get(r.group) ?? 0;
    index.set(r.group, k + 1);
    return { r, k, i };
  });
  return ranked.sort((a, b) => a.k - b.k || a.i - b.i).map((x) => x.r);
}
