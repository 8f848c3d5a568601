/**
 * The little linear algebra training needs, in plain typed arrays: principal components of the embeddings (to cut
 * 512 noisy dimensions to a few dozen before fitting, which is most of the regularisation) and a Cholesky solve for
 * Newton steps. Sizes are small (dims ≤ ~1024, k ≤ ~128), so simple loops are fast enough.
 */

export type Matrix = Float64Array[];

export function zeros(rows: number, cols: number): Matrix {
  return Array.from({ length: rows }, () => new Float64Array(cols));
}

export function columnMeans(rows: readonly ArrayLike<number>[], dims: number): Float64Array {
  const mean = new Float64Array(dims);
  for (const r of rows) for (let d = 0; d < dims; d++) mean[d] = (mean[d] ?? 0) + (r[d] ?? 0);
  for (let d = 0; d < dims; d++) mean[d] = (mean[d] ?? 0) / Math.max(1, rows.length);
  return mean;
}

/** Covariance (dims × dims) of the rows around `mean`. */
export function covariance(rows: readonly ArrayLike<number>[], mean: Float64Array): Matrix {
  const dims = mean.length;
  const cov = zeros(dims, dims);
  const centred = new Float64Array(dims);
  for (const r of rows) {
    for (let d = 0; d < dims; d++) centred[d] = (r[d] ?? 0) - (mean[d] ?? 0);
    for (let a = 0; a < dims; a++) {
      const ca = centred[a] ?? 0;
      if (ca === 0) continue;
      const row = cov[a] as Float64Array;
      for (let b = a; b < dims; b++) row[b] = (row[b] ?? 0) + ca * (centred[b] ?? 0);
    }
  }
  const n = Math.max(1, rows.length - 1);
  for (let a = 0; a < dims; a++) {
    for (let b = a; b < dims; b++) {
      const v = ((cov[a] as Float64Array)[b] ?? 0) / n;
      (cov[a] as Float64Array)[b] = v;
      (cov[b] as Float64Array)[a] = v;
    }
  }
  return cov;
}

function orthonormalise(vectors: Matrix): void {
  for (let i = 0; i < vectors.length; i++) {
    const v = vectors[i] as Float64Array;
    for (let j = 0; j < i; j++) {
      const u = vectors[j] as Float64Array;
      let dot = 0;
      for (let d = 0; d < v.length; d++) dot += (v[d] ?? 0) * (u[d] ?? 0);
      for (let d = 0; d < v.length; d++) v[d] = (v[d] ?? 0) - dot * (u[d] ?? 0);
    }
    let norm = 0;
    for (let d = 0; d < v.length; d++) norm += (v[d] ?? 0) ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let d = 0; d < v.length; d++) v[d] = (v[d] ?? 0) / norm;
  }
}

/** Top-`k` eigenvectors of a symmetric matrix by subspace iteration, seeded deterministically. */
export function topEigenvectors(cov: Matrix, k: number, iterations = 60, random: () => number = Math.random): Matrix {
  const dims = cov.length;
  let basis = Array.from({ length: k }, () => Float64Array.from({ length: dims }, () => random() - 0.5));
  orthonormalise(basis);
  for (let it = 0; it < iterations; it++) {
    const next = basis.map((v) => {
      const out = new Float64Array(dims);
      for (let a = 0; a < dims; a++) {
        const row = cov[a] as Float64Array;
        let s = 0;
        for (let b = 0; b < dims; b++) s += (row[b] ?? 0) * (v[b] ?? 0);
        out[a] = s;
      }
      return out;
    });
    orthonormalise(next);
    basis = next;
  }
  return basis;
}

/** Solves `A x = b` for symmetric positive definite A (Cholesky); A is not modified. */
export function solveSpd(a: Matrix, b: Float64Array): Float64Array {
  const n = b.length;
  const l = zeros(n, n);
  for (let i = 0; i < n; i++) {
    const li = l[i] as Float64Array;
    for (let j = 0; j <= i; j++) {
      const lj = l[j] as Float64Array;
      let s = (a[i] as Float64Array)[j] ?? 0;
      for (let k = 0; k < j; k++) s -= (li[k] ?? 0) * (lj[k] ?? 0);
      li[j] = i === j ? Math.sqrt(Math.max(s, 1e-12)) : s / (lj[j] ?? 1);
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i] ?? 0;
    const li = l[i] as Float64Array;
    for (let k = 0; k < i; k++) s -= (li[k] ?? 0) * (y[k] ?? 0);
    y[i] = s / (li[i] ?? 1);
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i] ?? 0;
    for (let k = i + 1; k < n; k++) s -= ((l[k] as Float64Array)[i] ?? 0) * (x[k] ?? 0);
    x[i] = s / ((l[i] as Float64Array)[i] ?? 1);
  }
  return x;
}
