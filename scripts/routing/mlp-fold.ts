import type { Row } from "./cross-fit";
import { project, standardisationOf } from "./fit";
import { type MlpOptions, pack, predictMlp, trainMlp } from "./mlp";
import { shareNeeded, thresholdAtShare } from "./quality";

/** One MLP variant of the experiment: `hidden:l2:epochs:components[:lr[:restarts]]`. */
export interface MlpSpec extends MlpOptions {
  name: string;
  components: number;
}

export function parseMlpSpec(text: string): MlpSpec {
  const [hidden, l2, epochs, components, lr, restarts] = text.split(":").map(Number);
  if (hidden === undefined || l2 === undefined || epochs === undefined || components === undefined) {
    throw new Error(`--mlp ${text}: want hidden:l2:epochs:components[:lr[:restarts]]`);
  }
  return { name: `mlp${text}`, hidden, l2, epochs, components, lr: lr ?? 0.01, restarts: restarts ?? 1, seed: 1 };
}

/** Standardised inputs (projected embedding, then every extra feature), with the fitting rows' mean and scale. */
function standardise(fit: readonly Row[], test: readonly Row[], basis: readonly (readonly number[])[]) {
  const { mean, scale } = standardisationOf(fit, basis);
  const z = (r: Row) =>
    [...project(r.embedding ?? [], basis), ...r.extra].map((v, j) => (v - (mean[j] ?? 0)) / (scale[j] ?? 1));
  return { fitX: fit.map(z), testX: test.map(z) };
}

/**
 * The MLP through the same nesting as the logistic router: inner grouped folds give out-of-fold scores on the
 * fitting rows, whose pooled premium share at target + margin is carried over as a quantile of the final network's
 * scores on its fitting rows (the router's `thresholdBy: "share"`). Per margin: the test rows' scores and decisions.
 */
export function mlpFold(
  fit: readonly Row[],
  test: readonly Row[],
  basis: readonly (readonly number[])[],
  innerFold: readonly number[],
  folds: number,
  spec: MlpSpec,
  target: number,
  margins: readonly number[],
): { scores: number[]; premium: boolean[][]; innerCeiling: number } {
  const { fitX, testX } = standardise(fit, test, basis.slice(0, spec.components));
  const y = fit.map((r) => (r.cheapCorrect ? 0 : 1));
  const oof = new Array<number>(fit.length).fill(0);
  for (let j = 0; j < folds; j++) {
    const train = fit.map((_, i) => i).filter((i) => innerFold[i] !== j);
    const held = fit.map((_, i) => i).filter((i) => innerFold[i] === j);
    const nets = trainMlp(
      pack(train.map((i) => fitX[i] as number[])),
      train.map((i) => y[i] ?? 0),
      spec,
    );
    const hs = predictMlp(nets, pack(held.map((i) => fitX[i] as number[])));
    for (const [a, i] of held.entries()) oof[i] = hs[a] ?? 0;
  }
  const nets = trainMlp(pack(fitX), y, spec);
  const own = predictMlp(nets, pack(fitX));
  const scores = predictMlp(nets, pack(testX));
  const premium = margins.map((mg) => {
    const threshold = thresholdAtShare(own, shareNeeded(fit, oof, target + mg));
    return scores.map((s) => s >= threshold);
  });
  return { scores, premium, innerCeiling: shareNeeded(fit, oof, target) };
}
