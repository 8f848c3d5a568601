import type { RouterArtifact } from "../../policy/artifact-types";
import { isLexicalFeature, type LexicalFeature, lexicalFeatures, type RouterRequestFacts } from "./features";
import { linearProbability } from "./linear";

/** The router's verdict for one request: premium when the score reaches the artifact's threshold. */
export interface RouterDecision {
  tier: "cheap" | "premium";
  /** Probability the request needs the premium tier, 0..1 (4 decimals); absent when the model could not score. */
  score?: number;
  /** Why: `router` (the model scored it), or why the model could not (`router:no-embedding`). */
  decidedBy: "router" | "router:no-embedding";
}

const lexicalNames = new WeakMap<RouterArtifact, LexicalFeature[]>();

function namesOf(artifact: RouterArtifact): LexicalFeature[] {
  let names = lexicalNames.get(artifact);
  if (names === undefined) {
    // The policy build refused unknown names; filtering keeps the type honest without a cast.
    names = artifact.features.lexical.filter(isLexicalFeature);
    lexicalNames.set(artifact, names);
  }
  return names;
}

/** The artifact's probability that `facts` needs the premium tier. */
export function routerScore(
  artifact: RouterArtifact,
  facts: RouterRequestFacts,
  embedding: ArrayLike<number> | undefined,
): number {
  return linearProbability(artifact.model, embedding, lexicalFeatures(facts, namesOf(artifact)));
}

/**
 * Pure: request facts + the request's prompt embedding (shared with the cache; undefined when the embedder failed
 * or the prompt is empty) -> tier. A model that needs an embedding and has none cannot score, so the request takes
 * `fallbackTier` (the route's safe choice, normally premium: quality first when the router is blind).
 */
export function decideTier(
  artifact: RouterArtifact,
  facts: RouterRequestFacts,
  embedding: ArrayLike<number> | undefined,
  fallbackTier: "cheap" | "premium",
): RouterDecision {
  const usable = embedding !== undefined && embedding.length === artifact.embedder.dims;
  if (artifact.features.embedding && !usable) return { tier: fallbackTier, decidedBy: "router:no-embedding" };
  const score = routerScore(artifact, facts, artifact.features.embedding ? embedding : undefined);
  return {
    tier: score >= artifact.threshold ? "premium" : "cheap",
    score: Math.round(score * 10_000) / 10_000,
    decidedBy: "router",
  };
}
