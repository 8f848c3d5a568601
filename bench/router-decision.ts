/**
 * `npx tsx bench/router-decision.ts`: CPU per learned-router decision with the shipped artifact
 * (policies/routers/auto.json), against a baseline measured in the same run (computing the lexical features alone).
 */
import { measureRouterDecision } from "./router-decision-cpu";

const m = measureRouterDecision();
console.log("| step | CPU per request |\n| --- | --- |");
console.log(`| lexical features only (baseline) | ${m.baseline.toFixed(2)} µs |`);
console.log(
  `| decideTier (features + projection of ${m.components} components + logistic) | ${m.decision.toFixed(2)} µs |`,
);
console.log(
  `\nratio decision / baseline: ${(m.decision / m.baseline).toFixed(1)}×; budget 200 µs: ${m.decision < 200 ? "within" : "OVER"}`,
);
