/**
 * Exploration, not an npm script: MMLU router variants measured side by side on subject folds of chosen seeds, to
 * choose among them on OTHER seeds than the report's (eval:routing uses seed 1). The same nested cross-fit as
 * scripts/routing/cross-fit.ts (`base` reproduces eval:routing's MMLU row), with one pass of inner fits shared by
 * every variant: an ensemble of the inner fold models (one linear model: their raw-input weights averaged), a
 * calibration margin or per-inner-fold share rule, and (`--knn k [--proto m]`) a topic-transfer feature
 * (topic-features.ts), and (`--mlp hidden:l2:epochs:components[:lr[:restarts]],...`) a one-hidden-layer network over
 * the projected embedding and every lexical feature (mlp.ts, mlp-fold.ts; `--variants none` runs the MLPs alone).
 * README ("MMLU: variance reduction ...") has the figures.
 *
 *   npx tsx scripts/routing/mmlu-experiment.ts [--cache-dir DIR] [--per-subject N] [--seeds 2,3,4]
 *     [--variants base,inner,m25,...|none] [--knn K] [--proto M] [--mlp 8:100:200:32,...]
 */
import type { LinearModel } from "../../src/policy/artifact-types";
import { NEWTON_ROUTER_CONFIGS } from "./configs";
import { type Config, fitScorer, groupFolds, maxComponents, type Row, restrict, scoreRows } from "./cross-fit";
import { loadOutcomes } from "./data";
import { openNamedEmbedder } from "./embed";
import { fitProjection, project } from "./fit";
import { type MlpSpec, mlpFold, parseMlpSpec } from "./mlp-fold";
import { accuracyOf, premiumAccuracy, randomShare, shareNeeded, thresholdAtShare } from "./quality";
import { capPerSubject, routerRow } from "./rows";
import { centroidFeature, knnFeature } from "./topic-features";

interface Variant {
  name: string;
  ensemble?: "inner" | "inner+full";
  /** Calibrate at target + margin. */
  margin?: number;
  /** Share from inner folds: pooled (default), or the max / mean of per-inner-fold shares. */
  shareRule?: "pooled" | "max" | "mean";
}

/** The topic feature: error rate of the `knn` nearest training prompts, or of the `knn` nearest of `proto` centroids. */
interface Topic {
  knn: number;
  proto: number;
}

const VARIANTS: Record<string, Variant> = {
  base: { name: "base" },
  inner: { name: "inner", ensemble: "inner" },
  innerfull: { name: "innerfull", ensemble: "inner+full" },
  m1: { name: "m1", margin: 0.001 },
  m25: { name: "m25", margin: 0.0025 },
  m5: { name: "m5", margin: 0.005 },
  m10: { name: "m10", margin: 0.01 },
  max: { name: "max", shareRule: "max" },
  mean: { name: "mean", shareRule: "mean" },
  inm25: { name: "inm25", ensemble: "inner", margin: 0.0025 },
  inm5: { name: "inm5", ensemble: "inner", margin: 0.005 },
  inm10: { name: "inm10", ensemble: "inner", margin: 0.01 },
  inmax: { name: "inmax", ensemble: "inner", shareRule: "max" },
  inmean: { name: "inmean", ensemble: "inner", shareRule: "mean" },
};

/** Calibration margins the MLP variants are reported at: none, the shipped router's quarter point, and half a point. */
const MLP_MARGINS = [0, 0.0025, 0.005];

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? dflt) : dflt;
}

/** Raw-input weights of a standardised linear model (so models over the same inputs can be averaged). */
function rawOf(m: LinearModel): { w: number[]; b: number } {
  const w = m.weights.map((x, j) => x / (m.scale[j] ?? 1));
  const b = m.bias - w.reduce((s, x, j) => s + x * (m.mean[j] ?? 0), 0);
  return { w, b };
}

function averageModels(models: readonly LinearModel[]): LinearModel {
  const raws = models.map(rawOf);
  const width = raws[0]?.w.length ?? 0;
  const w = new Array<number>(width).fill(0);
  let b = 0;
  for (const r of raws) {
    for (let j = 0; j < width; j++) w[j] = (w[j] ?? 0) + (r.w[j] ?? 0) / raws.length;
    b += r.b / raws.length;
  }
  const out: LinearModel = { type: "logistic", mean: w.map(() => 0), scale: w.map(() => 1), weights: w, bias: b };
  const p = models[0]?.projection;
  if (p !== undefined) out.projection = p;
  return out;
}

/** One seed's outer folds: per variant, the routed share and quality and the ranking's ceiling. */
function run(
  rows0: readonly Row[],
  seed: number,
  vs: readonly Variant[],
  target: number,
  topic?: Topic,
  mlps: readonly MlpSpec[] = [],
) {
  const folds = 5;
  const configs = NEWTON_ROUTER_CONFIGS;
  const fold = groupFolds(rows0, folds, seed);
  const scores = vs.map(() => new Array<number>(rows0.length).fill(0));
  const premium = vs.map(() => new Array<boolean>(rows0.length).fill(false));
  const picks: string[] = [];
  // Per MLP spec and margin: scores and decisions; the MLP reads every extra feature (no topic feature).
  const mlpScores = mlps.map(() => new Array<number>(rows0.length).fill(0));
  const mlpPremium = mlps.map(() => MLP_MARGINS.map(() => new Array<boolean>(rows0.length).fill(false)));
  const mlpInner = mlps.map(() => [] as number[]);
  for (let k = 0; k < folds; k++) {
    let fit = rows0.filter((_, i) => fold[i] !== k);
    const testIdx = rows0.map((_, i) => i).filter((i) => fold[i] === k);
    let test = testIdx.map((i) => rows0[i] as Row);
    const basis = fitProjection(
      fit.map((r) => r.embedding ?? []),
      maxComponents(configs),
      seed,
    );
    const mlpComponents = Math.max(0, ...mlps.map((m) => m.components));
    const mlpBasis =
      mlpComponents <= basis.length
        ? basis
        : fitProjection(
            fit.map((r) => r.embedding ?? []),
            mlpComponents,
            seed,
          );
    for (const [mi, spec] of mlps.entries()) {
      const t0 = Date.now();
      const r = mlpFold(fit, test, mlpBasis, groupFolds(fit, folds, seed + 1), folds, spec, target, MLP_MARGINS);
      for (const [j, i] of testIdx.entries()) {
        (mlpScores[mi] as number[])[i] = r.scores[j] ?? 0;
        for (const [gi, p] of r.premium.entries())
          ((mlpPremium[mi] as boolean[][])[gi] as boolean[])[i] = p[j] === true;
      }
      (mlpInner[mi] as number[]).push(r.innerCeiling);
      console.error(`seed ${seed} fold ${k} ${spec.name}: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    }
    if (vs.length === 0) continue;
    if (topic !== undefined) {
      const b32 = basis.slice(0, 32);
      const fp = fit.map((r) => ({ group: r.group, p: project(r.embedding ?? [], b32), err: r.cheapCorrect ? 0 : 1 }));
      const prior = fp.reduce((s, r) => s + r.err, 0) / fp.length;
      const tp = test.map((r) => ({ group: r.group, p: project(r.embedding ?? [], b32) }));
      const { fitF, testF } =
        topic.proto > 0
          ? centroidFeature(fp, tp, topic.proto, topic.knn, prior, seed + k)
          : { fitF: knnFeature(fp, fp, topic.knn, prior), testF: knnFeature(tp, fp, topic.knn, prior) };
      // First, so configurations restricted to the general lexical features (`extra`: the leading ones) keep it.
      fit = fit.map((r, i) => ({ ...r, extra: [fitF[i] ?? 0, ...r.extra] }));
      test = test.map((r, i) => ({ ...r, extra: [testF[i] ?? 0, ...r.extra] }));
    }
    const innerFold = groupFolds(fit, folds, seed + 1);
    let best: { config: Config; sel: number; models: LinearModel[]; sc: number[] } | undefined;
    for (const config0 of configs) {
      const config =
        topic !== undefined && config0.extra !== undefined ? { ...config0, extra: config0.extra + 1 } : config0;
      const projection = basis.slice(0, config.components);
      const used = restrict(fit, config);
      const sc = new Array<number>(fit.length).fill(0);
      const models: LinearModel[] = [];
      for (let j = 0; j < folds; j++) {
        const train = used.filter((_, i) => innerFold[i] !== j);
        const held = used.map((_, i) => i).filter((i) => innerFold[i] === j);
        const m = fitScorer(train, projection, config);
        models.push(m);
        const hs = scoreRows(
          m,
          held.map((i) => used[i] as Row),
        );
        for (const [a, i] of held.entries()) sc[i] = hs[a] ?? 0;
      }
      // Selection as in cross-fit.ts: the pooled out-of-fold share at the target itself, whatever the variant.
      const sel = shareNeeded(fit, sc, target);
      if (best === undefined || sel < best.sel) best = { config, sel, models, sc };
    }
    if (best === undefined) throw new Error("none");
    const b = best;
    const used = restrict(fit, b.config);
    const full = fitScorer(used, basis.slice(0, b.config.components), b.config);
    const testUsed = restrict(test, b.config);
    for (const [vi, v] of vs.entries()) {
      const t = target + (v.margin ?? 0);
      const perFold = Array.from({ length: folds }, (_, j) => {
        const held = used.map((_, i) => i).filter((i) => innerFold[i] === j);
        return shareNeeded(
          held.map((i) => used[i] as Row),
          held.map((i) => b.sc[i] ?? 0),
          t,
        );
      });
      const share =
        v.shareRule === "max"
          ? Math.max(...perFold)
          : v.shareRule === "mean"
            ? perFold.reduce((a, x) => a + x, 0) / perFold.length
            : shareNeeded(used, b.sc, t);
      const model =
        v.ensemble === "inner"
          ? averageModels(b.models)
          : v.ensemble === "inner+full"
            ? averageModels([...b.models, full])
            : full;
      const threshold = thresholdAtShare(scoreRows(model, used), share);
      const ts = scoreRows(model, testUsed);
      for (const [j, i] of testIdx.entries()) {
        (scores[vi] as number[])[i] = ts[j] ?? 0;
        (premium[vi] as boolean[])[i] = (ts[j] ?? 0) >= threshold;
      }
    }
    picks.push(`${b.config.components}c/${b.config.l2}${b.config.extra === undefined ? "" : "g"}`);
  }
  const figures = (p: readonly boolean[], sc: readonly number[], pk: string[]) => ({
    share: p.filter(Boolean).length / rows0.length,
    quality: accuracyOf(rows0, (i) => p[i] === true) / premiumAccuracy(rows0),
    ceiling: shareNeeded(rows0, sc, target),
    picks: pk,
  });
  return [
    ...vs.map((_, vi) => figures(premium[vi] as boolean[], scores[vi] as number[], picks)),
    ...mlps.flatMap((_, mi) =>
      MLP_MARGINS.map((_, gi) =>
        figures(
          (mlpPremium[mi] as boolean[][])[gi] as boolean[],
          mlpScores[mi] as number[],
          (mlpInner[mi] as number[]).map((c) => `in${(c * 100).toFixed(1)}`),
        ),
      ),
    ),
  ];
}

async function main() {
  const cacheDir = arg("--cache-dir", "/work/emb-cache");
  const per = arg("--per-subject", "");
  const seeds = arg("--seeds", "2,3,4").split(",").map(Number);
  const names = arg("--variants", "base")
    .split(",")
    .filter((n) => n !== "none");
  const mlpArg = arg("--mlp", "");
  const mlps = mlpArg === "" ? [] : mlpArg.split(",").map(parseMlpSpec);
  const data = loadOutcomes();
  if (!data.ok) throw new Error("no data");
  const mmlu = capPerSubject(data.mmlu, per === "" ? undefined : Number(per));
  const embedder = await openNamedEmbedder("local-embed", cacheDir);
  const rows = mmlu.filter((r) => embedder.store.get(r.prompt) !== undefined).map((r) => routerRow(r, embedder.store));
  console.log(`${rows.length} rows of ${mmlu.length}; random ${(randomShare(rows, 0.95) * 100).toFixed(1)}%`);
  const knn = arg("--knn", "");
  const topic = knn === "" ? undefined : { knn: Number(knn), proto: Number(arg("--proto", "0")) };
  const vs = names.map((n) => {
    const v = VARIANTS[n];
    if (v === undefined) throw new Error(`variant ${n}`);
    return v;
  });
  const res = seeds.map((s) => run(rows, s, vs, 0.95, topic, mlps));
  const labels = [...vs.map((v) => v.name), ...mlps.flatMap((m) => MLP_MARGINS.map((g) => `${m.name}/m${g * 1e4}`))];
  for (const [vi, name] of labels.entries()) {
    const rs = res.map((r) => r[vi] as (typeof r)[number]);
    const mean = (f: (r: (typeof rs)[number]) => number) => rs.reduce((a, r) => a + f(r), 0) / rs.length;
    console.log(
      `${name.padEnd(10)} share ${(mean((r) => r.share) * 100).toFixed(1)} quality ${(mean((r) => r.quality) * 100).toFixed(2)} ceiling ${(mean((r) => r.ceiling) * 100).toFixed(1)} | ` +
        rs
          .map(
            (r) =>
              `${(r.share * 100).toFixed(1)}@${(r.quality * 100).toFixed(2)}/c${(r.ceiling * 100).toFixed(1)} [${r.picks.join(" ")}]`,
          )
          .join("  "),
    );
  }
}

void main();
