import { type Matrix, solveSpd, zeros } from "./linalg";

/**
 * L2-regularised logistic regression by Newton's method (IRLS) on standardised inputs; the bias is not penalised.
 * Converges in a handful of steps at these sizes (a few thousand rows, under ~100 inputs).
 */
export interface LogisticFit {
  weights: number[];
  bias: number;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

export function fitLogistic(x: readonly Float64Array[], y: readonly number[], l2: number, maxSteps = 50): LogisticFit {
  const d = x[0]?.length ?? 0;
  const beta = new Float64Array(d + 1);
  for (let step = 0; step < maxSteps; step++) {
    const grad = new Float64Array(d + 1);
    const hess: Matrix = zeros(d + 1, d + 1);
    for (const [i, row] of x.entries()) {
      let z = beta[d] ?? 0;
      for (let j = 0; j < d; j++) z += (beta[j] ?? 0) * (row[j] ?? 0);
      const p = sigmoid(z);
      const r = p - (y[i] ?? 0);
      const w = Math.max(p * (1 - p), 1e-9);
      for (let a = 0; a <= d; a++) {
        const xa = a === d ? 1 : (row[a] ?? 0);
        grad[a] = (grad[a] ?? 0) + r * xa;
        const ha = hess[a] as Float64Array;
        for (let b = 0; b <= a; b++) ha[b] = (ha[b] ?? 0) + w * xa * (b === d ? 1 : (row[b] ?? 0));
      }
    }
    for (let a = 0; a <= d; a++) {
      const ha = hess[a] as Float64Array;
      if (a < d) {
        grad[a] = (grad[a] ?? 0) + l2 * (beta[a] ?? 0);
        ha[a] = (ha[a] ?? 0) + l2;
      }
      for (let b = 0; b < a; b++) (hess[b] as Float64Array)[a] = ha[b] ?? 0;
    }
    const delta = solveSpd(hess, grad);
    let largest = 0;
    for (let a = 0; a <= d; a++) {
      beta[a] = (beta[a] ?? 0) - (delta[a] ?? 0);
      largest = Math.max(largest, Math.abs(delta[a] ?? 0));
    }
    if (largest < 1e-7) break;
  }
  return { weights: Array.from(beta.subarray(0, d)), bias: beta[d] ?? 0 };
}
