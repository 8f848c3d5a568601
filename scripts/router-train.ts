/**
 * `npm run router:train -- [flags]`: fits the learned router (and, unless --no-verifier, the cascade's verifier)
 * on labelled outcomes (prompt, cheap correct?, premium correct?; ../shared/data/routing by default) with a named
 * embedder (`--embedder local-embed` or `alias:<embeddings alias>` through a running gateway), calibrates the
 * threshold on out-of-fold scores (grouped folds: MMLU subjects) for `--target` of the premium model's accuracy,
 * and writes the artifacts the policy names (default policies/routers/auto.json, policies/verifiers/gsm8k.json).
 * The model and its configuration search are those `npm run eval:routing` measures on held-out data.
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, relative } from "node:path";
import type { LinearModel, RouterArtifact, TrainingRecord, VerifierArtifact } from "../src/policy/artifact-types";
import { parseRouterArtifact, parseVerifierArtifact } from "../src/policy/schema-artifact";
import { runScript } from "./flags";
import { ROUTER_BASIS, ROUTER_CONFIGS, ROUTER_MARGIN, VERIFIER_CONFIGS } from "./routing/configs";
import { calibrate, finalThreshold, fitScorer, type Row, restrict } from "./routing/cross-fit";
import type { Outcome } from "./routing/data";
import { openNamedEmbedder } from "./routing/embed";
import { fitProjection, roundModel } from "./routing/fit";
import { type RoutingOptions, scriptSetup } from "./routing/options";
import { premiumAccuracy, routedAt } from "./routing/quality";
import { pct } from "./routing/report";
import { capPerSubject, ROUTER_LEXICAL, routerRow, VERIFIER_FEATURES, verifierRow } from "./routing/rows";

function dataHash(rows: readonly Outcome[]): string {
  const h = createHash("sha256");
  for (const r of rows)
    h.update(JSON.stringify([r.group, r.prompt, r.cheapCorrect, r.premiumCorrect, r.cheapAnswer ?? null]));
  return h.digest("hex");
}

function training(o: RoutingOptions, rows: readonly Outcome[], evalFigures: Record<string, number>): TrainingRecord {
  return {
    data_sha256: dataHash(rows),
    rows: rows.length,
    source: relative(process.cwd(), o.dataDir),
    trained_at: new Date().toISOString(),
    quality_target: o.target,
    eval: evalFigures,
  };
}

/** Out-of-fold figures at the calibrated threshold, per data set: what the artifact records as its own eval. */
function figures(
  rows: readonly Row[],
  scores: readonly number[],
  threshold: number,
  prefix: string,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const set of ["mmlu", "gsm8k"]) {
    const idx = rows.map((r, i) => (r.group.startsWith(set) ? i : -1)).filter((i) => i >= 0);
    if (idx.length === 0) continue;
    const sub = idx.map((i) => rows[i] as Row);
    const at = routedAt(
      sub,
      idx.map((i) => scores[i] ?? 0),
      threshold,
    );
    out[`${prefix}${set}_premium_share`] = Number(at.premiumShare.toFixed(4));
    out[`${prefix}${set}_quality`] = Number((at.accuracy / premiumAccuracy(sub)).toFixed(4));
  }
  return out;
}

function write(path: string, artifact: RouterArtifact | VerifierArtifact): void {
  const text = `${JSON.stringify(artifact)}\n`;
  const check = artifact.kind === "router" ? parseRouterArtifact(text) : parseVerifierArtifact(text);
  if (!check.ok) throw new Error(`refusing to write an invalid artifact: ${check.problems.join("; ")}`);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  console.log(`wrote ${path} (${(text.length / 1024).toFixed(0)} KiB)`);
}

/** P(correct) = sigmoid(-z): the verifier is fitted on "cheap wrong" like the router, then flipped. */
function flipped(model: LinearModel): LinearModel {
  return { ...model, weights: model.weights.map((w) => -w), bias: -model.bias };
}

async function main(): Promise<number> {
  const setup = scriptSetup(process.argv.slice(2), "router-train", "router:train");
  if (!setup.ok) return setup.code;
  const { options: o, data } = setup;
  const outcomes = [...capPerSubject(data.mmlu, o.perSubject), ...data.gsm8k];
  const embedder = await openNamedEmbedder(o.embedder, o.cacheDir);
  await embedder.fill(outcomes.map((r) => r.prompt));
  const rows = outcomes.map((r, i) => ({
    ...routerRow(r, embedder.store),
    group: r.group === "gsm8k" ? `gsm8k:${i}` : r.group,
  }));
  const opts = { folds: o.folds, seed: o.seed, target: o.target, configs: ROUTER_CONFIGS };
  const basis = fitProjection(
    rows.map((r) => r.embedding ?? []),
    ROUTER_BASIS,
    o.seed,
  );
  const cal = calibrate(rows, basis, { ...opts, margin: ROUTER_MARGIN, sharedScale: true });
  const used = restrict(rows, cal.config);
  const model = roundModel(fitScorer(used, basis.slice(0, cal.config.components), cal.config));
  // The out-of-fold premium share (at the target plus ROUTER_MARGIN), as the final model's own score quantile (what
  // eval:routing measures).
  const threshold = finalThreshold(model, used, cal, { thresholdBy: "share" });
  const usesEmbedding = cal.config.components > 0;
  const evalFigures = {
    ...figures(rows, cal.scores, cal.threshold, "oof_"),
    components: cal.config.components,
    l2: cal.config.l2,
  };
  write(o.out, {
    kind: "router",
    format: 1,
    embedder: { model: embedder.model(), dims: embedder.dims() },
    features: { embedding: usesEmbedding, lexical: ROUTER_LEXICAL.slice(0, cal.config.extra) },
    model,
    threshold: Number(threshold.toFixed(6)),
    training: training(o, outcomes, evalFigures),
  });
  console.log(
    `router: ${cal.config.components} components, L2 ${cal.config.l2}, threshold ${threshold.toFixed(4)} for ` +
      `${pct(o.target, 0)} of premium accuracy; out-of-fold: ${JSON.stringify(evalFigures)}`,
  );
  if (!o.verifier) return 0;
  const vrows = data.gsm8k.map((r, i) => verifierRow(r, `gsm8k:${i}`));
  const vcal = calibrate(vrows, [], { ...opts, configs: VERIFIER_CONFIGS });
  const vmodel = roundModel(flipped(fitScorer(vrows, [], vcal.config)));
  const vfig = { ...figures(vrows, vcal.scores, vcal.threshold, "oof_escalated_"), l2: vcal.config.l2 };
  write(o.verifierOut, {
    kind: "verifier",
    format: 1,
    embedder: { model: embedder.model(), dims: embedder.dims() },
    features: { embedding: false, answer: [...VERIFIER_FEATURES] },
    model: vmodel,
    threshold: Number((1 - vcal.threshold).toFixed(6)),
    training: training(o, data.gsm8k, vfig),
  });
  console.log(
    `verifier: escalate below confidence ${(1 - vcal.threshold).toFixed(4)}; out-of-fold: ${JSON.stringify(vfig)}`,
  );
  return 0;
}

runScript(main);
