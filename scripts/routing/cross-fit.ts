import type { LinearModel } from "../../src/policy/artifact-types";
import { linearProbability } from "../../src/routing/router/linear";
import { shuffled } from "../eval/random";
import {
  type Example,
  fitLinearModel,
  fitProjection,
  type Solver,
  type Standardisation,
  standardisationOf,
} from "./fit";
import { type Labelled, shareNeeded, thresholdAtShare, thresholdFor } from "./quality";

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

export interface Config extends Solver {
  components: number;
  /** How many of the rows' extra features (from the first) the model reads; all when absent. */
  extra?: number;
}

/** The rows as a configuration's model sees them: only its leading `extra` features. */
export function restrict<R extends Row>(rows: readonly R[], config: Pick<Config, "extra">): readonly R[] {
  const n = config.extra;
  return n === undefined ? rows : rows.map((r) => ({ ...r, extra: r.extra.slice(0, n) }));
}

export interface CrossFitOptions {
  folds: number;
  seed: number;
  /** Share of the premium model's accuracy to keep, e.g. 0.95. */
  target: number;
  configs: readonly Config[];
  /**
   * How the final model's threshold is set from the calibration. `score`: the score the inner cross-fit's
   * out-of-fold scores needed. `share`: the premium share they needed, carried over as the quantile of the final
   * model's own scores on its fitting rows (labels unused there). The router uses `share`: its scores on unseen
   * subjects shift with the amount of data a model saw, and a score threshold from models fitted on 4/5 of the rows
   * promised the final one 0.6–0.8 points more quality than it kept on held-out subjects, every run.
   */
  thresholdBy?: "score" | "share";
  /**
   * Quality above `target` the threshold is calibrated for (e.g. 0.0025 = a quarter point): the configuration is
   * still chosen at `target`, but the premium share (or score) carried to the final model is the one that kept
   * `target + margin` out of fold, because on unseen subjects the calibrated quality scatters by a few tenths of a
   * point around what calibration promised. Default 0.
   */
  margin?: number;
  /**
   * Principal directions fitted per fold; configurations read the leading `components` of them. Default: the largest
   * configuration's. More than a configuration reads changes its inputs: subspace iteration converges the leading
   * directions further when it iterates a wider block.
   */
  basis?: number;
  /**
   * Standardise the inner cross-fit's models with the statistics of all the rows being calibrated (as the final
   * model, fitted on all of them, is), instead of each inner model's own training rows. Unsupervised, like the
   * projection. The Adam-fitted router needs it: a fixed number of steps shrinks differently on differently scaled
   * inputs, so inner models with their own scaling were calibrated for a different model than the final one (MMLU
   * fold seeds 2–4: the calibrated quality scattered 95.3–95.8% against 95.2–95.5%; README).
   */
  sharedScale?: boolean;
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

export function fitScorer(
  rows: readonly Row[],
  projection: readonly (readonly number[])[],
  solver: Solver,
  scaling?: Standardisation,
): LinearModel {
  return fitLinearModel(rows, rows.map(needsPremium), projection, solver, scaling);
}

export function scoreRows(model: LinearModel, rows: readonly Row[]): number[] {
  return rows.map((r) =>
    r.forced === true ? 1 : linearProbability(model, model.projection === undefined ? undefined : r.embedding, r.extra),
  );
}

interface Calibrated {
  config: Config;
  /** Score threshold reaching target + margin on the out-of-fold scores. */
  threshold: number;
  /** Premium share the configuration needs on its out-of-fold scores at the target (the selection criterion). */
  share: number;
  /** Premium share reaching target + margin on the out-of-fold scores: what `thresholdBy: "share"` carries over. */
  premiumShare: number;
  scores: number[];
}

/** Inner cross-fit on `rows`: the best configuration and its threshold, from out-of-fold scores only. */
export function calibrate(rows: readonly Row[], basis: readonly (readonly number[])[], o: CrossFitOptions): Calibrated {
  const fold = groupFolds(rows, o.folds, o.seed + 1);
  let best: Calibrated | undefined;
  for (const config of o.configs) {
    const projection = basis.slice(0, config.components);
    const used = restrict(rows, config);
    const scaling = o.sharedScale === true ? standardisationOf(used, projection) : undefined;
    const scores = new Array<number>(rows.length).fill(0);
    for (let k = 0; k < o.folds; k++) {
      const train = used.filter((_, i) => fold[i] !== k);
      const held = used.map((_, i) => i).filter((i) => fold[i] === k);
      if (train.length === 0 || held.length === 0) continue;
      const model = fitScorer(train, projection, config, scaling);
      const heldScores = scoreRows(
        model,
        held.map((i) => used[i] as Row),
      );
      for (const [j, i] of held.entries()) scores[i] = heldScores[j] ?? 0;
    }
    const share = shareNeeded(rows, scores, o.target);
    if (best === undefined || share < best.share) {
      const aim = o.target + (o.margin ?? 0);
      const premiumShare = aim === o.target ? share : shareNeeded(rows, scores, aim);
      best = { config, share, premiumShare, scores, threshold: thresholdFor(rows, scores, aim) };
    }
  }
  if (best === undefined) throw new Error("no configuration to calibrate");
  return best;
}

export function maxComponents(configs: readonly Config[]): number {
  return Math.max(0, ...configs.map((c) => c.components));
}

/** The threshold of a model fitted on all of `fit` after `calibrate` chose its configuration (see `thresholdBy`). */
export function finalThreshold(
  model: LinearModel,
  fit: readonly Row[],
  cal: Pick<Calibrated, "premiumShare" | "threshold">,
  o: Pick<CrossFitOptions, "thresholdBy">,
): number {
  return o.thresholdBy === "share" ? thresholdAtShare(scoreRows(model, fit), cal.premiumShare) : cal.threshold;
}

export function crossFit(rows: readonly Row[], o: CrossFitOptions): CrossFitResult {
  const fold = groupFolds(rows, o.folds, o.seed);
  const scores = new Array<number>(rows.length).fill(0);
  const premium = new Array<boolean>(rows.length).fill(false);
  const chosen: CrossFitResult["chosen"] = [];
  const components = o.basis ?? maxComponents(o.configs);
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
    const used = restrict(fit, cal.config);
    const model = fitScorer(used, basis.slice(0, cal.config.components), cal.config);
    const threshold = finalThreshold(model, used, cal, o);
    const testScores = scoreRows(
      model,
      restrict(
        test.map((i) => rows[i] as Row),
        cal.config,
      ),
    );
    for (const [j, i] of test.entries()) {
      scores[i] = testScores[j] ?? 0;
      premium[i] = (testScores[j] ?? 0) >= threshold;
    }
    chosen.push({ config: cal.config, threshold });
  }
  return { scores, premium, chosen };
}
