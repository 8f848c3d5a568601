import { callCost, type Prices, promptTokens, textTokens } from "./costs";
import { type CrossFitOptions, calibrate, fitScorer, groupFolds, type Row, scoreRows } from "./cross-fit";
import type { Outcome } from "./data";
import { solveSpd, zeros } from "./linalg";
import { thresholdFor } from "./quality";

/**
 * Cost-aware escalation, measured: escalate a cheap answer when P(cheap wrong) / (the premium call's predicted cost)
 * reaches a threshold (a knapsack ratio: accuracy bought per credit), instead of when P(cheap wrong) alone does. The
 * premium call's cost is predicted from what the Worker knows when it decides: its prompt tokens and the cheap
 * answer's output tokens, by a least-squares line for the premium model's output tokens fitted on training folds only.
 * Nested exactly like the plain cascade (cross-fit.ts): the threshold on the ratio comes from the fitting folds' own
 * out-of-fold scores and cost predictions. Deterministic check failures still always escalate.
 */

export interface CostFacts {
  promptTokens: number;
  cheapOutputTokens: number;
  premiumOutputTokens: number;
}

/** A GSM8K row's token counts, by the gateway's own estimate (as costs.ts prices them). */
export function costFacts(o: Outcome): CostFacts {
  return {
    promptTokens: promptTokens(o.prompt),
    cheapOutputTokens: textTokens(o.cheapAnswer ?? ""),
    premiumOutputTokens: textTokens(o.premiumAnswer ?? ""),
  };
}

/** premium output tokens ≈ w0 + w1 × prompt tokens + w2 × cheap output tokens (ordinary least squares). */
export function fitOutputModel(facts: readonly CostFacts[]): [number, number, number] {
  const a = zeros(3, 3);
  const b = new Float64Array(3);
  for (const f of facts) {
    const x = [1, f.promptTokens, f.cheapOutputTokens];
    for (let r = 0; r < 3; r++) {
      b[r] = (b[r] ?? 0) + (x[r] ?? 0) * f.premiumOutputTokens;
      const row = a[r] as Float64Array;
      for (let c = 0; c < 3; c++) row[c] = (row[c] ?? 0) + (x[r] ?? 0) * (x[c] ?? 0);
    }
  }
  // A tiny ridge keeps the normal equations positive definite on degenerate folds (e.g. every prompt the same length).
  for (let r = 0; r < 3; r++) (a[r] as Float64Array)[r] = ((a[r] as Float64Array)[r] ?? 0) + 1e-6;
  const w = solveSpd(a, b);
  return [w[0] ?? 0, w[1] ?? 0, w[2] ?? 0];
}

export function predictedPremiumCost(w: readonly number[], f: CostFacts, prices: Prices): number {
  const out = Math.max(1, (w[0] ?? 0) + (w[1] ?? 0) * f.promptTokens + (w[2] ?? 0) * f.cheapOutputTokens);
  return Math.max(1, callCost(prices.premium, f.promptTokens, out));
}

const ratio = (pWrong: number, cost: number, forced: boolean) => (forced ? Number.POSITIVE_INFINITY : pWrong / cost);

/** Per row: escalated by the cost-aware rule, from models that never saw the row's fold. */
export function crossFitCostAware(
  rows: readonly Row[],
  facts: readonly CostFacts[],
  prices: Prices,
  o: CrossFitOptions,
): boolean[] {
  const fold = groupFolds(rows, o.folds, o.seed);
  const escalated = new Array<boolean>(rows.length).fill(false);
  for (let k = 0; k < o.folds; k++) {
    const fit = rows.map((_, i) => i).filter((i) => fold[i] !== k);
    const test = rows.map((_, i) => i).filter((i) => fold[i] === k);
    if (fit.length === 0 || test.length === 0) continue;
    const fitRows = fit.map((i) => rows[i] as Row);
    const cal = calibrate(fitRows, [], o);
    // The cost line's out-of-fold predictions on the same inner folds `calibrate` used (seed + 1).
    const inner = groupFolds(fitRows, o.folds, o.seed + 1);
    const oofCost = new Array<number>(fit.length).fill(1);
    for (let j = 0; j < o.folds; j++) {
      const w = fitOutputModel(fit.filter((_, q) => inner[q] !== j).map((i) => facts[i] as CostFacts));
      fit.forEach((i, q) => {
        if (inner[q] === j) oofCost[q] = predictedPremiumCost(w, facts[i] as CostFacts, prices);
      });
    }
    const t = thresholdFor(
      fitRows,
      fitRows.map((r, q) => ratio(cal.scores[q] ?? 0, oofCost[q] ?? 1, r.forced === true)),
      o.target,
    );
    const model = fitScorer(fitRows, [], cal.config);
    const w = fitOutputModel(fit.map((i) => facts[i] as CostFacts));
    const scores = scoreRows(
      model,
      test.map((i) => rows[i] as Row),
    );
    for (const [j, i] of test.entries()) {
      const r = rows[i] as Row;
      escalated[i] =
        ratio(scores[j] ?? 0, predictedPremiumCost(w, facts[i] as CostFacts, prices), r.forced === true) >= t;
    }
  }
  return escalated;
}
