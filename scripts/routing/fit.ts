import type { LinearModel } from "../../src/policy/artifact-types";
import { seededRandom } from "../eval/random";
import { columnMeans, covariance, topEigenvectors } from "./linalg";
import { fitLogistic } from "./logistic";
import { pack, trainMlp } from "./mlp";

/** One training input: the prompt embedding (when the model uses one) and the extra (lexical or answer) features. */
export interface Example {
  embedding?: ArrayLike<number>;
  extra: readonly number[];
}

export interface FitOptions {
  /** Principal components of the embedding kept as inputs; 0 = the model ignores the embedding. */
  components: number;
  /** L2 penalty on the standardised weights. */
  l2: number;
  seed: number;
}

/**
 * Principal directions of the embeddings (unsupervised: labels are never read, so a projection fitted on every
 * row of a training set leaks nothing about their outcomes).
 */
export function fitProjection(embeddings: readonly ArrayLike<number>[], components: number, seed: number): number[][] {
  const dims = embeddings[0]?.length ?? 0;
  if (components === 0 || dims === 0) return [];
  const mean = columnMeans(embeddings, dims);
  const basis = topEigenvectors(covariance(embeddings, mean), components, 60, seededRandom(seed));
  return basis.map((v) => Array.from(v));
}

/** An embedding's coordinates on the principal directions (`fitProjection`). */
export function project(e: ArrayLike<number>, projection: readonly (readonly number[])[]): Float64Array {
  const out = new Float64Array(projection.length);
  for (const [r, row] of projection.entries()) {
    let s = 0;
    for (let d = 0; d < row.length; d++) s += (row[d] ?? 0) * (e[d] ?? 0);
    out[r] = s;
  }
  return out;
}

function inputsOf(example: Example, projection: readonly (readonly number[])[]): number[] {
  if (projection.length === 0) return [...example.extra];
  const e = example.embedding;
  if (e === undefined) throw new Error("example has no embedding but the model projects one");
  return [...project(e, projection), ...example.extra];
}

/**
 * How the logistic weights are fitted: to convergence by Newton's method (default), or by a fixed number of full-batch
 * Adam steps from zero (`adam`), which stops short of convergence and so shrinks the weights further than the L2
 * penalty alone (mlp.ts with no hidden units; chosen for the MMLU router on other fold seeds than the report's).
 */
export interface Solver {
  l2: number;
  adam?: { steps: number; lr: number };
}

/** Each input's mean and scale: the `LinearModel`'s standardisation. */
export interface Standardisation {
  mean: number[];
  scale: number[];
}

/** The standardisation of `examples`' inputs (unsupervised: labels are never read). */
export function standardisationOf(
  examples: readonly Example[],
  projection: readonly (readonly number[])[],
): Standardisation {
  return standardise(examples.map((e) => inputsOf(e, projection)));
}

function standardise(raw: readonly number[][]): Standardisation {
  const width = raw[0]?.length ?? 0;
  const mean = Array.from(columnMeans(raw, width));
  const scale = mean.map((m, j) => {
    let s = 0;
    for (const r of raw) s += ((r[j] ?? 0) - m) ** 2;
    const sd = Math.sqrt(s / Math.max(1, raw.length - 1));
    // A constant input (e.g. `tools` in data without tools) gets scale 1: it then contributes nothing, safely.
    return sd > 1e-9 ? sd : 1;
  });
  return { mean, scale };
}

/**
 * Fits the standardisation (or uses the one given) and the logistic weights: the `LinearModel` the Worker evaluates
 * (linear.ts).
 */
export function fitLinearModel(
  examples: readonly Example[],
  labels: readonly boolean[],
  projection: readonly (readonly number[])[],
  solver: Solver,
  given?: Standardisation,
): LinearModel {
  const raw = examples.map((e) => inputsOf(e, projection));
  const { mean, scale } = given ?? standardise(raw);
  const x = raw.map((r) => Float64Array.from(r, (v, j) => (v - (mean[j] ?? 0)) / (scale[j] ?? 1)));
  const y = labels.map((l) => (l ? 1 : 0));
  const fit = solver.adam === undefined ? fitLogistic(x, y, solver.l2) : fitByAdam(x, y, solver.l2, solver.adam);
  const model: LinearModel = {
    type: "logistic",
    mean: [...mean],
    scale: [...scale],
    weights: fit.weights,
    bias: fit.bias,
  };
  if (projection.length > 0) model.projection = projection.map((r) => [...r]);
  return model;
}

function fitByAdam(
  x: readonly Float64Array[],
  y: readonly number[],
  l2: number,
  adam: NonNullable<Solver["adam"]>,
): { weights: number[]; bias: number } {
  const [net] = trainMlp(pack(x), y, { hidden: 0, l2, epochs: adam.steps, lr: adam.lr, restarts: 1, seed: 1 });
  if (net === undefined) throw new Error("no model fitted");
  return { weights: Array.from(net.skip), bias: net.bias };
}

/** Rounds every number to `digits` significant digits: artifacts stay small and diff-able, scores barely move. */
export function roundModel(model: LinearModel, digits = 6): LinearModel {
  const r = (v: number) => Number(v.toPrecision(digits));
  const out: LinearModel = {
    type: "logistic",
    mean: model.mean.map(r),
    scale: model.scale.map(r),
    weights: model.weights.map(r),
    bias: r(model.bias),
  };
  if (model.projection !== undefined) out.projection = model.projection.map((row) => row.map(r));
  return out;
}
