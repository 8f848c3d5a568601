import { ROUTER_BASIS, ROUTER_CONFIGS, ROUTER_MARGIN, VERIFIER_CONFIGS } from "./configs";
import { type CrossFitOptions, type CrossFitResult, crossFit, fitScorer, type Row, scoreRows } from "./cross-fit";
import { accuracyOf, type Labelled, oracleShare, premiumAccuracy, randomShare, routedAt, shareNeeded } from "./quality";
import { type CallCosts, cascadeCost, type Line, oraclePremium, randomCost, routedCost } from "./report";

export interface Measured {
  lines: Line[];
  router: CrossFitResult;
  routerShare: number;
  routerAccuracy: number;
  /** Present for sets with cheap answers (GSM8K). */
  cascade?: { result: CrossFitResult; share: number; accuracy: number; cost: number };
}

export interface MeasureOptions {
  folds: number;
  seed: number;
  target: number;
  /** The router's configurations, threshold rule and margin (default: ROUTER_CONFIGS, `share`, ROUTER_MARGIN, ROUTER_BASIS, shared scaling). */
  router?: Pick<CrossFitOptions, "configs" | "thresholdBy" | "margin" | "basis" | "sharedScale">;
}

/** Every row of the README table for one data set, from nested cross-fitting (cross-fit.ts). */
export function measure(
  routerRows: readonly Row[],
  costs: readonly CallCosts[],
  o: MeasureOptions,
  verifierRows?: readonly Row[],
): Measured {
  const rows: readonly Labelled[] = routerRows;
  const n = rows.length;
  const premiumAcc = premiumAccuracy(rows);
  const randomAt = randomShare(rows, o.target);
  const cheapOk = accuracyOf(rows, () => false) >= o.target * premiumAcc;
  const router = crossFit(routerRows, {
    ...o,
    ...(o.router ?? {
      configs: ROUTER_CONFIGS,
      thresholdBy: "share",
      margin: ROUTER_MARGIN,
      basis: ROUTER_BASIS,
      sharedScale: true,
    }),
  });
  const routed = routedAt(
    rows,
    router.premium.map((p) => (p ? 1 : 0)),
    1,
  );
  const ceiling = shareNeeded(rows, router.scores, o.target);
  const oracleAt = oracleShare(rows, o.target);
  const oracle = oraclePremium(rows, costs, oracleAt);
  const lines: Line[] = [
    { name: "Premium model only", share: 1, accuracy: premiumAcc, cost: routedCost(costs, () => true) },
    {
      name: "Cheap model only",
      share: 0,
      accuracy: accuracyOf(rows, () => false),
      cost: routedCost(costs, () => false),
    },
    {
      name: "Random routing",
      share: randomAt,
      accuracy: o.target * premiumAcc,
      cost: randomCost(costs, randomAt),
      note: "expected",
    },
    {
      name: "Best single model",
      share: cheapOk ? 0 : 1,
      accuracy: cheapOk ? accuracyOf(rows, () => false) : premiumAcc,
      cost: routedCost(costs, () => !cheapOk),
    },
    {
      name: "**Learned router**",
      share: routed.premiumShare,
      accuracy: routed.accuracy,
      cost: routedCost(costs, (i) => router.premium[i] === true),
      note: "threshold calibrated on other data",
    },
    {
      name: "Learned router, ceiling",
      share: ceiling,
      accuracy: o.target * premiumAcc,
      cost: Number.NaN,
      note: "threshold picked on the test rows: an upper bound",
    },
  ];
  let cascade: Measured["cascade"];
  if (verifierRows !== undefined) {
    const result = crossFit(verifierRows, { ...o, configs: VERIFIER_CONFIGS });
    const share = result.premium.filter(Boolean).length / Math.max(1, n);
    const accuracy = accuracyOf(rows, (i) => result.premium[i] === true);
    const cost = cascadeCost(costs, (i) => result.premium[i] === true);
    cascade = { result, share, accuracy, cost };
    lines.push(
      { name: "**Cascade** (cheap first, verifier escalates)", share, accuracy, cost, note: "pays every cheap call" },
      {
        name: "Cascade, ceiling",
        share: shareNeeded(rows, result.scores, o.target),
        accuracy: o.target * premiumAcc,
        cost: Number.NaN,
        note: "threshold picked on the test rows",
      },
      inSampleBound(verifierRows, costs, o.target),
    );
  }
  lines.push({
    name: "Oracle",
    share: oracleAt,
    accuracy: accuracyOf(rows, (i) => oracle[i] === true),
    cost: routedCost(costs, (i) => oracle[i] === true),
    note: "knows the outcomes",
  });
  const base = { lines, router, routerShare: routed.premiumShare, routerAccuracy: routed.accuracy };
  return cascade === undefined ? base : { ...base, cascade };
}

/**
 * What the verifier's features could do at best with this model: fitted AND thresholded on every row (so on the
 * rows it is measured on), for each L2 the eval chooses among; the cheapest. Not a result: a bound that says whether
 * better calibration alone could reach a target, or whether the features themselves fall short.
 */
function inSampleBound(rows: readonly Row[], costs: readonly CallCosts[], target: number): Line {
  let best: Line | undefined;
  for (const config of VERIFIER_CONFIGS) {
    const scores = scoreRows(fitScorer(rows, [], config), rows);
    const share = shareNeeded(rows, scores, target);
    const order = rows.map((_, i) => i).sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0));
    const escalated = new Set(order.slice(0, Math.round(share * rows.length)));
    const cost = cascadeCost(costs, (i) => escalated.has(i));
    if (best === undefined || cost < best.cost) {
      best = {
        name: "Cascade, in-sample bound",
        share,
        accuracy: accuracyOf(rows, (i) => escalated.has(i)),
        cost,
        note: `verifier fitted and thresholded on the test rows, L2 ${config.l2}`,
      };
    }
  }
  return best as Line;
}
