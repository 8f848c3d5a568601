export { type CacheDecisionConfig, plainCosineConfig } from "./config";
export { CacheDecisionConfigSchema } from "./config-schema";
export { decideHit, type HitDecision } from "./decide-hit";
export { DEFAULT_CACHE_DECISION } from "./defaults";
export { combineScore, decisionScore, lengthLogRatio } from "./score";
export { analyseText, jaccard, type TextFeatures } from "./text-features";
export { firstVeto, VETO_NAMES, VETOES, type VetoName } from "./vetoes";
