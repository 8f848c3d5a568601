import { seededRandom } from "../eval/random";

/**
 * A one-hidden-layer network for the router experiment (scripts/routing/mmlu-experiment.ts `--mlp`): standardised
 * inputs, `hidden` tanh units plus a linear skip path (so the logistic model is the special case of zero hidden
 * weights), one logistic output. Full-batch Adam on the summed log-loss with an L2 penalty on every weight (biases
 * free), a fixed number of epochs (chosen on other fold seeds than the report's), fixed seeds; `restarts` networks
 * from different initialisations are averaged in probability.
 */
export interface MlpOptions {
  hidden: number;
  l2: number;
  epochs: number;
  /** Adam's step size. */
  lr: number;
  restarts: number;
  seed: number;
}

export interface MlpNet {
  inputs: number;
  hidden: number;
  /** hidden × inputs, row-major. */
  w1: Float64Array;
  b1: Float64Array;
  /** Output weights on the hidden units. */
  v: Float64Array;
  /** Output weights on the inputs (the skip path). */
  skip: Float64Array;
  bias: number;
}

/** Rows of standardised inputs, packed row-major. */
export interface Packed {
  n: number;
  d: number;
  x: Float64Array;
}

export function pack(rows: readonly ArrayLike<number>[]): Packed {
  const n = rows.length;
  const d = rows[0]?.length ?? 0;
  const x = new Float64Array(n * d);
  rows.forEach((r, i) => {
    for (let j = 0; j < d; j++) x[i * d + j] = r[j] ?? 0;
  });
  return { n, d, x };
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

function forward(net: MlpNet, x: Float64Array, at: number, h: Float64Array): number {
  const { inputs: d, hidden: H, w1, b1, v, skip } = net;
  let z = net.bias;
  for (let j = 0; j < d; j++) z += (skip[j] ?? 0) * (x[at + j] ?? 0);
  for (let u = 0; u < H; u++) {
    let a = b1[u] ?? 0;
    const wu = u * d;
    for (let j = 0; j < d; j++) a += (w1[wu + j] ?? 0) * (x[at + j] ?? 0);
    const t = Math.tanh(a);
    h[u] = t;
    z += (v[u] ?? 0) * t;
  }
  return z;
}

function trainOne(data: Packed, y: readonly number[], o: MlpOptions, seed: number): MlpNet {
  const { n, d, x } = data;
  const H = o.hidden;
  const random = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const net: MlpNet = {
    inputs: d,
    hidden: H,
    w1: Float64Array.from({ length: H * d }, () => gauss() / Math.sqrt(d)),
    b1: new Float64Array(H),
    v: Float64Array.from({ length: H }, () => gauss() * 0.1),
    skip: new Float64Array(d),
    bias: 0,
  };
  // One flat parameter vector view for Adam: [w1, b1, v, skip, bias].
  const sizes = [H * d, H, H, d, 1];
  const total = sizes.reduce((a, b) => a + b, 0);
  const m = new Float64Array(total);
  const s = new Float64Array(total);
  const g = new Float64Array(total);
  const h = new Float64Array(H);
  const oB1 = H * d;
  const oV = oB1 + H;
  const oSkip = oV + H;
  const oBias = oSkip + d;
  const b1 = 0.9;
  const b2 = 0.999;
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    g.fill(0);
    for (let i = 0; i < n; i++) {
      const at = i * d;
      const r = sigmoid(forward(net, x, at, h)) - (y[i] ?? 0);
      g[oBias] = (g[oBias] ?? 0) + r;
      for (let j = 0; j < d; j++) g[oSkip + j] = (g[oSkip + j] ?? 0) + r * (x[at + j] ?? 0);
      for (let u = 0; u < H; u++) {
        const t = h[u] ?? 0;
        g[oV + u] = (g[oV + u] ?? 0) + r * t;
        const dh = r * (net.v[u] ?? 0) * (1 - t * t);
        g[oB1 + u] = (g[oB1 + u] ?? 0) + dh;
        const wu = u * d;
        for (let j = 0; j < d; j++) g[wu + j] = (g[wu + j] ?? 0) + dh * (x[at + j] ?? 0);
      }
    }
    // Penalty on weights only (not biases), as the logistic fit does; then the mean gradient for Adam.
    const c1 = 1 - b1 ** epoch;
    const c2 = 1 - b2 ** epoch;
    const step = (p: Float64Array, offset: number, decay: boolean) => {
      for (let k = 0; k < p.length; k++) {
        const q = offset + k;
        const grad = ((g[q] ?? 0) + (decay ? o.l2 * (p[k] ?? 0) : 0)) / n;
        m[q] = b1 * (m[q] ?? 0) + (1 - b1) * grad;
        s[q] = b2 * (s[q] ?? 0) + (1 - b2) * grad * grad;
        p[k] = (p[k] ?? 0) - (o.lr * ((m[q] ?? 0) / c1)) / (Math.sqrt((s[q] ?? 0) / c2) + 1e-8);
      }
    };
    step(net.w1, 0, true);
    step(net.b1, oB1, false);
    step(net.v, oV, true);
    step(net.skip, oSkip, true);
    const bias = new Float64Array([net.bias]);
    step(bias, oBias, false);
    net.bias = bias[0] ?? 0;
  }
  return net;
}

export function trainMlp(data: Packed, y: readonly number[], o: MlpOptions): MlpNet[] {
  return Array.from({ length: o.restarts }, (_, r) => trainOne(data, y, o, o.seed * 7919 + r));
}

/** The averaged probability of the restarts for every packed row. */
export function predictMlp(nets: readonly MlpNet[], data: Packed): number[] {
  const out = new Array<number>(data.n).fill(0);
  for (const net of nets) {
    const h = new Float64Array(net.hidden);
    for (let i = 0; i < data.n; i++)
      out[i] = (out[i] ?? 0) + sigmoid(forward(net, data.x, i * data.d, h)) / nets.length;
  }
  return out;
}
