/**
 * Gradient-boosted regression trees for a binary label, log loss (the XGBoost/LightGBM recipe in miniature):
 * features are bucketed into at most `bins` quantile bins, each tree is grown depth-first to `depth` with
 * histogram split search and L2-regularised leaf values. Enough for a few dozen features and tens of thousands
 * of rows in a second or two; no dependency.
 */

/** One regression tree, complete to a fixed depth: node n's children are 2n+1 (value ≤ threshold) and 2n+2. */
export interface BoostedTree {
  /** Feature index tested at each internal node, breadth-first. */
  feature: number[];
  threshold: number[];
  /** Leaf values, left to right. */
  leaf: number[];
}

export interface BoostOptions {
  trees: number;
  depth: number;
  learningRate: number;
  /** L2 penalty on leaf values (XGBoost's lambda). */
  lambda: number;
  /** A split needs at least this much hessian on each side. */
  minChildWeight: number;
  bins: number;
  /** Weight of each negative row relative to a positive one. */
  negativeWeight: number;
}

export const DEFAULT_BOOST: BoostOptions = {
  trees: 150,
  depth: 3,
  learningRate: 0.1,
  lambda: 1,
  minChildWeight: 5,
  bins: 64,
  negativeWeight: 1,
};

export interface Boosted {
  bias: number;
  trees: BoostedTree[];
}

interface Binned {
  /** bins[f][row]: bin index of the row's value of feature f. */
  bins: Uint8Array[];
  /** edges[f][k]: rows with bin ≤ k have value ≤ edges[f][k]. */
  edges: number[][];
}

function binFeatures(rows: readonly (readonly number[])[], maxBins: number): Binned {
  const featureCount = rows[0]?.length ?? 0;
  const bins: Uint8Array[] = [];
  const edges: number[][] = [];
  for (let f = 0; f < featureCount; f++) {
    const values = rows.map((r) => r[f] ?? 0).sort((x, y) => x - y);
    const distinct = values.filter((v, i) => i === 0 || v !== values[i - 1]);
    const cuts: number[] = [];
    if (distinct.length <= maxBins) {
      for (let k = 1; k < distinct.length; k++) cuts.push(((distinct[k - 1] ?? 0) + (distinct[k] ?? 0)) / 2);
    } else {
      // Quantile cuts, each moved up to the next change of value so that ties never straddle a cut.
      let d = 0;
      for (let k = 1; k < maxBins; k++) {
        const q = values[Math.floor((k * values.length) / maxBins)] ?? 0;
        while (d + 1 < distinct.length && (distinct[d] ?? 0) < q) d += 1;
        if (d + 1 >= distinct.length) break;
        const cut = ((distinct[d] ?? 0) + (distinct[d + 1] ?? 0)) / 2;
        if (cuts[cuts.length - 1] !== cut) cuts.push(cut);
      }
    }
    const column = new Uint8Array(rows.length);
    for (const [i, r] of rows.entries()) {
      const v = r[f] ?? 0;
      let k = 0;
      while (k < cuts.length && v > (cuts[k] ?? 0)) k += 1;
      column[i] = k;
    }
    bins.push(column);
    edges.push(cuts);
  }
  return { bins, edges };
}

interface Split {
  feature: number;
  bin: number;
  gain: number;
}

function bestSplit(rows: readonly number[], g: Float64Array, h: Float64Array, data: Binned, o: BoostOptions) {
  let G = 0;
  let H = 0;
  for (const i of rows) {
    G += g[i] ?? 0;
    H += h[i] ?? 0;
  }
  const parent = (G * G) / (H + o.lambda);
  let best: Split | undefined;
  for (const [f, column] of data.bins.entries()) {
    const cuts = data.edges[f]?.length ?? 0;
    if (cuts === 0) continue;
    const gh = new Float64Array(cuts + 1);
    const hh = new Float64Array(cuts + 1);
    for (const i of rows) {
      const k = column[i] ?? 0;
      gh[k] = (gh[k] ?? 0) + (g[i] ?? 0);
      hh[k] = (hh[k] ?? 0) + (h[i] ?? 0);
    }
    let gl = 0;
    let hl = 0;
    for (let k = 0; k < cuts; k++) {
      gl += gh[k] ?? 0;
      hl += hh[k] ?? 0;
      const gr = G - gl;
      const hr = H - hl;
      if (hl < o.minChildWeight || hr < o.minChildWeight) continue;
      const gain = (gl * gl) / (hl + o.lambda) + (gr * gr) / (hr + o.lambda) - parent;
      if (gain > 1e-9 && (best === undefined || gain > best.gain)) best = { feature: f, bin: k, gain };
    }
  }
  return { best, leaf: -G / (H + o.lambda) };
}

/** A complete binary tree of `depth` levels; a node that does not split sends everything left. */
function growTree(g: Float64Array, h: Float64Array, data: Binned, o: BoostOptions): BoostedTree {
  const internal = 2 ** o.depth - 1;
  const feature = new Array<number>(internal).fill(0);
  const threshold = new Array<number>(internal).fill(Number.POSITIVE_INFINITY);
  const leaf = new Array<number>(internal + 1).fill(0);
  const all = Array.from({ length: g.length }, (_, i) => i);
  const grow = (node: number, rows: number[], level: number) => {
    const { best, leaf: value } = bestSplit(rows, g, h, data, o);
    if (level === o.depth || best === undefined) {
      // Fill the whole subtree's leftmost path down to the leaf with this value.
      let n = node;
      while (n < internal) n = 2 * n + 1;
      leaf[n - internal] = value * o.learningRate;
      return;
    }
    feature[node] = best.feature;
    threshold[node] = data.edges[best.feature]?.[best.bin] ?? Number.POSITIVE_INFINITY;
    const column = data.bins[best.feature] ?? new Uint8Array();
    const left = rows.filter((i) => (column[i] ?? 0) <= best.bin);
    const right = rows.filter((i) => (column[i] ?? 0) > best.bin);
    grow(2 * node + 1, left, level + 1);
    grow(2 * node + 2, right, level + 1);
  };
  grow(0, all, 0);
  return { feature, threshold, leaf };
}

export function treeValue(tree: BoostedTree, x: readonly number[]): number {
  const internal = tree.feature.length;
  let n = 0;
  while (n < internal) n = (x[tree.feature[n] ?? 0] ?? 0) <= (tree.threshold[n] ?? 0) ? 2 * n + 1 : 2 * n + 2;
  return tree.leaf[n - internal] ?? 0;
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

export function trainBoosted(
  rows: readonly (readonly number[])[],
  labels: readonly boolean[],
  options: Partial<BoostOptions> = {},
): Boosted {
  const o = { ...DEFAULT_BOOST, ...options };
  const data = binFeatures(rows, o.bins);
  const weight = labels.map((y) => (y ? 1 : o.negativeWeight));
  const wSum = weight.reduce((s, w) => s + w, 0);
  const wPos = labels.reduce((s, y, i) => s + (y ? (weight[i] ?? 0) : 0), 0);
  const bias = Math.log(wPos / Math.max(1e-9, wSum - wPos));
  const margin = new Float64Array(rows.length).fill(bias);
  const g = new Float64Array(rows.length);
  const h = new Float64Array(rows.length);
  const trees: BoostedTree[] = [];
  for (let t = 0; t < o.trees; t++) {
    for (let i = 0; i < rows.length; i++) {
      const p = sigmoid(margin[i] ?? 0);
      const w = weight[i] ?? 1;
      g[i] = w * (p - (labels[i] ? 1 : 0));
      h[i] = w * Math.max(1e-6, p * (1 - p));
    }
    const tree = growTree(g, h, data, o);
    trees.push(tree);
    for (let i = 0; i < rows.length; i++) margin[i] = (margin[i] ?? 0) + treeValue(tree, rows[i] ?? []);
  }
  return { bias, trees };
}

export function boostedMargin(model: Boosted, x: readonly number[]): number {
  let m = model.bias;
  for (const tree of model.trees) m += treeValue(tree, x);
  return m;
}
