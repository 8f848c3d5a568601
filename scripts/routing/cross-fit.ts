import type { LinearModel } from "../../src/policy/artifact-types";
import { linearProbability } from "../../src/routing/router/linear";
import { shuffled } from "../eval/random";
import { type Example, fitLinearModel, fitProjection } from "./fit";
import { type Labelled, shareNeeded, thresholdFor } from "./quality";

/**
 * Honest numbers from one labelled set: nested, grouped cross-fitting. Each outer fold is scored by models that never
 * saw it, neither to fit nor to calibrate: on the other folds, an inner grouped cross-fit picks the configuration
 * (components, L2) and the threshold from out-of-fold scores; then one model fitted on all of them scores the
 * outer fold. Rows sharing a group (an MMLU subject) always land in the same fold, so a test subject is unseen.
 */

export interface Row extends Labelled, Example {
  group: string;
  /** A deterministic check already decided (the verifier's failed checks): scored 1 whatever the model says. */
  forced?: boolean;
}

export interface Config {
  components: number;
  l2: number;
}

export interface CrossFitOptions {
  folds: number;
  seed: number;
  /** Share of the premium model's accuracy to keep, e.g. 0.95. */
  target: number;
  configs: readonly Config[];
}

export interface CrossFitResult {
  /** Per row: P(the cheap model is wrong) from a model that never saw the row's fold. */
  scores: number[];
  /** Per row: whether it went premium at its fold's calibrated threshold. */
  premium: boolean[];
  /** Per outer fold: the configuration the inner cross-fit chose and the threshold it calibrated. */
  chosen: { config: Config; threshold: number }[];
}

/** Fold of each row: groups dealt round-robin after a seeded shuffle. */
export function groupFolds(rows: readonly { group: string }[], folds: number, seed: number): number[] {
  const groups = shuffled([...new Set(rows.map((r) => r.group))].sort(), seed);
  const foldOf = new Map(groups.map((g, i) => [g, i % folds]));
  return rows.map((r) => foldOf.get(r.group) ?? 0);
}

const needsPremium = (r: Labelled) => !r.cheapCorrect;

export function fitScorer(rows: readonly Row[], projection: readonly (readonly number[])[], l2: number): LinearModel {
  return fitLinearModel(rows, rows.map(needsPremium), projection, l2);
}

export function scoreRows(model: LinearModel, rows: readonly Row[]): number[] {
  return rows.map((r) =>
    r.forced === true ? 1 : linearProbability(model, model.projection === undefined ? undefined : r.embedding, r.extra),
  );
}

interface Calibrated {
  config: Config;
  threshold: number;
  /** Premium share the configuration needs on its out-of-fold scores (the selection criterion). */
  share: number;
  scores: number[];
}

/** Inner cross-fit on `rows`: the best configuration and its threshold, from out-of-fold scores only. */
export function calibrate(rows: readonly Row[], basis: readonly (readonly number[])[], o: CrossFitOptions): Calibrated {
  const fold = groupFolds(rows, o.folds, o.seed + 1);
  let best: Calibrated | undefined;
  for (const config of o.configs) {
    const projection = basis.slice(0, config.components);
    const scores = new Array<number>(rows.length).fill(0);
    for (let k = 0; k < o.folds; k++) {
      const train = rows.filter((_, i) => fold[i] !== k);
      const held = rows.map((_, i) => i).filter((i) => fold[i] === k);
      if (train.length === 0 || held.length === 0) continue;
      const model = fitScorer(train, projection, config.l2);
      const heldScores = scoreRows(
        model,
        held.map((i) => rows[i] as Row),
      );
      for (const [j, i] of held.entries()) scores[i] = heldScores[j] ?? 0;
    }
    const share = shareNeeded(rows, scores, o.target);
    if (best === undefined || share < best.share) {
      best = { config, share, scores, threshold: thresholdFor(rows, scores, o.target) };
    }
  }
  if (best === undefined) throw new Error("no configuration to calibrate");
  return best;
}

export function maxComponents(configs: readonly Config[]): number {
  return Math.max(0, ...configs.map((c) => c.components));
}

export function crossFit(rows: readonly Row[], o: CrossFitOptions): CrossFitResult {
  const fold = groupFolds(rows, o.folds, o.seed);
  const scores = new Array<number>(rows.length).fill(0);
  const premium = new Array<boolean>(rows.length).fill(false);
  const chosen: CrossFitResult["chosen"] = [];
  const components = maxComponents(o.configs);
  for (let k = 0; k < o.folds; k++) {
    const fit = rows.filter((_, i) => fold[i] !== k);
    const test = rows.map((_, i) => i).filter((i) => fold[i] === k);
    if (fit.length === 0 || test.length === 0) continue;
    const basis =
      components === 0
        ? []
        : fitProjection(
            fit.map((r) => r.embedding ?? []),
            components,
            o.seed,
          );
    const cal = calibrate(fit, basis, o);
    const model = fitScorer(fit, basis.slice(0, cal.config.components), cal.config.l2);
    const testScores = scoreRows(
      model,
      test.map((i) => rows[i] as Row),
    );
    for (const [j, i] of test.entries()) {
      scores[i] = testScores[j] ?? 0;
      premium[i] = (testScores[j] ?? 0) >= cal.threshold;
    }
    chosen.push({ config: cal.config, threshold: cal.threshold });
  }
  return { scores, premium, chosen };
}
