import type { LinearModel } from "../../policy/artifact-types";

/**
 * A fitted linear model's probability for one input: the embedding projected (when the model has a projection),
 * followed by the extra features, standardised, then a logistic link. Allocation-free apart from nothing: the inputs
 * are read in place so a request pays a few thousand multiply-adds, no arrays.
 */
export function linearProbability(
  model: LinearModel,
  embedding: ArrayLike<number> | undefined,
  extra: readonly number[],
): number {
  const { mean, scale, weights } = model;
  let z = model.bias;
  let i = 0;
  if (embedding !== undefined) {
    const projection = model.projection;
    if (projection === undefined) {
      for (let d = 0; d < embedding.length; d++, i++) {
        z += (weights[i] ?? 0) * (((embedding[d] ?? 0) - (mean[i] ?? 0)) / (scale[i] ?? 1));
      }
    } else {
      for (const row of projection) {
        let p = 0;
        for (let d = 0; d < row.length; d++) p += (row[d] ?? 0) * (embedding[d] ?? 0);
        z += (weights[i] ?? 0) * ((p - (mean[i] ?? 0)) / (scale[i] ?? 1));
        i++;
      }
    }
  }
  for (const x of extra) {
    z += (weights[i] ?? 0) * ((x - (mean[i] ?? 0)) / (scale[i] ?? 1));
    i++;
  }
  return 1 / (1 + Math.exp(-z));
}

/** How many inputs the model takes with an embedding of `dims`: what the policy build checks `weights` against. */
export function linearInputs(model: LinearModel, embedding: boolean, dims: number, extra: number): number {
  if (!embedding) return extra;
  return (model.projection?.length ?? dims) + extra;
}
