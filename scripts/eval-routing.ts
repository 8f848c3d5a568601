/**
 * `npm run eval:routing -- [flags]`: how few premium calls keep a quality target, on real outcomes of a cheap and a
 * premium model (../shared/data/routing: MMLU subjects, GSM8K with both models' answers). Nested cross-fitting
 * (scripts/routing/cross-fit.ts): every reported row was scored by a model that saw it neither in fitting nor in
 * calibrating its threshold; MMLU folds hold out WHOLE SUBJECTS. Prints, per data set: premium-only, cheap-only,
 * random routing, the best single model, the learned router (and its ceiling), the cascade on GSM8K (cheap answers
 * judged by the learned verifier plus the deterministic checks), and an oracle, with the cost of each at the
 * policy's prices. Flags: scripts/routing/options.ts.
 */

import { runScript } from "./flags";
import { costFacts, crossFitCostAware } from "./routing/cascade-cost";
import { crossFitGate, gatedLine } from "./routing/cascade-gate";
import { GSM8K_ROUTER_CONFIGS, VERIFIER_CONFIGS } from "./routing/configs";
import { policyPrices } from "./routing/costs";
import type { Outcome } from "./routing/data";
import { openNamedEmbedder } from "./routing/embed";
import { type Measured, measure } from "./routing/measure";
import { scriptSetup } from "./routing/options";
import { accuracyOf } from "./routing/quality";
import { cascadeCost, costsOf, type Line, pct, table } from "./routing/report";
import { capPerSubject, roundRobinBySubject, routerRow, verifierRow } from "./routing/rows";

const MMLU_TARGET = 0.55;
const GSM8K_TARGET = 0.65;
const CASCADE_COST_TARGET = 0.5;

function verdict(ok: boolean, text: string): string {
  return `${ok ? "REACHED" : "NOT reached"}: ${text}`;
}

async function main(): Promise<number> {
  const setup = scriptSetup(process.argv.slice(2), "eval-routing", "eval:routing");
  if (!setup.ok) return setup.code;
  const { options: o, data } = setup;
  const started = performance.now();
  const prices = policyPrices(o.policiesDir, o.cheap, o.premium);
  const mmlu = capPerSubject(data.mmlu, o.perSubject);
  const embedder = await openNamedEmbedder(o.embedder, o.cacheDir);
  // GSM8K first (every run needs all of it), then MMLU round-robin: an interrupted fill leaves k prompts per subject.
  const embedded = await embedder.fill(
    [...data.gsm8k, ...(o.gsm8kOnly ? [] : roundRobinBySubject(mmlu))].map((r) => r.prompt),
  );
  if (o.embedOnly) {
    console.log(`eval-routing: ${embedded} texts embedded into ${o.cacheDir}; every prompt is cached.`);
    return 0;
  }
  const opts = { folds: o.folds, seed: o.seed, target: o.target };
  const sets: { name: string; outcomes: Outcome[]; m: Measured }[] = [];
  if (!o.gsm8kOnly) {
    const subjects = new Set(mmlu.map((r) => r.group)).size;
    sets.push({
      name: `MMLU — ${mmlu.length} prompts, ${subjects} subjects, whole subjects held out (${o.folds} folds)`,
      outcomes: mmlu,
      m: measure(
        mmlu.map((r) => routerRow(r, embedder.store)),
        mmlu.map((r) => costsOf(r, prices)),
        opts,
      ),
    });
  }
  const gsmRouterRows = data.gsm8k.map((r) => ({ ...routerRow(r, embedder.store), group: `gsm8k:${r.prompt}` }));
  const gsmVerifierRows = data.gsm8k.map((r) => verifierRow(r, `gsm8k:${r.prompt}`));
  const gsmCosts = data.gsm8k.map((r) => costsOf(r, prices));
  sets.push({
    name: `GSM8K — ${data.gsm8k.length} problems, ${o.folds} folds`,
    outcomes: data.gsm8k,
    m: measure(
      gsmRouterRows,
      gsmCosts,
      { ...opts, router: { configs: GSM8K_ROUTER_CONFIGS, thresholdBy: "score" } },
      gsmVerifierRows,
    ),
  });
  const gsmSet = sets[sets.length - 1];
  const gate = crossFitGate(gsmRouterRows, gsmVerifierRows, gsmCosts, opts);
  const gateLine = gatedLine(gsmVerifierRows, gsmCosts, gate);
  const costAware = crossFitCostAware(gsmVerifierRows, data.gsm8k.map(costFacts), prices, {
    ...opts,
    configs: VERIFIER_CONFIGS,
  });
  const costAwareLine: Line = {
    name: "Cascade, cost-aware escalation",
    share: costAware.filter(Boolean).length / Math.max(1, costAware.length),
    accuracy: accuracyOf(gsmVerifierRows, (i) => costAware[i] === true),
    cost: cascadeCost(gsmCosts, (i) => costAware[i] === true),
    note: "P(wrong) per predicted premium cost",
  };
  // Before the oracle, the table's last line.
  gsmSet?.m.lines.splice(gsmSet.m.lines.length - 1, 0, costAwareLine, gateLine);
  console.log(
    `\nRouting on real outcomes (cheap: Mixtral-8x7B, premium: GPT-4-1106) — target ${pct(o.target, 0)} of the ` +
      `premium model's accuracy; embedder ${embedder.model()} (${embedder.dims()}-d)` +
      `${embedded === 0 ? ", all embeddings from the cache" : `, ${embedded} texts embedded`}; prices of ` +
      `"${o.cheap}" and "${o.premium}" in ${o.policiesDir}/.`,
  );
  for (const s of sets) {
    const costs = s.outcomes.map((r) => costsOf(r, prices));
    console.log(
      `\n### ${s.name}\n\n${table(
        s.m.router.premium.map((_, i) => s.outcomes[i] as Outcome),
        costs,
        s.m.lines,
      )}`,
    );
    const chosen = s.m.router.chosen.map(
      (c) =>
        `${c.config.components}c/l2=${c.config.l2}${c.config.extra === undefined ? "" : "/general"}/t=${c.threshold.toFixed(3)}`,
    );
    console.log(
      `\nRouter per fold (components/L2[/general lexical features only]/threshold, chosen on calibration data): ${chosen.join(", ")}`,
    );
  }
  const gsm = sets.find((s) => s.name.startsWith("GSM8K"));
  if (gsm === undefined) return 1;
  console.log(`\nTargets (held-out data; each at ≥ ${pct(o.target)} of premium accuracy):`);
  for (const [name, set, target] of [
    ["MMLU", sets.find((s) => s.name.startsWith("MMLU")), MMLU_TARGET],
    ["GSM8K", gsm, GSM8K_TARGET],
  ] as const) {
    if (set === undefined) continue;
    const quality = set.m.routerAccuracy / premiumOf(set.outcomes);
    console.log(
      verdict(
        set.m.routerShare <= target && quality >= o.target,
        `${name} learned router ${pct(set.m.routerShare)} premium (≤ ${pct(target, 0)}) at ${pct(quality)} of premium accuracy`,
      ),
    );
  }
  const premiumCost = gsmCosts.reduce((a, c) => a + c.premium, 0);
  const c = gsm.m.cascade;
  for (const [name, line] of [
    ["GSM8K cascade", c === undefined ? undefined : { ...c, name: "" }],
    ["GSM8K cascade, cost-aware escalation", costAwareLine],
    ["GSM8K cascade gated by the router", gateLine],
  ] as const) {
    if (line === undefined) continue;
    const relAcc = line.accuracy / premiumOf(gsm.outcomes);
    console.log(
      verdict(
        line.cost / premiumCost <= CASCADE_COST_TARGET && relAcc >= o.target,
        `${name} ${pct(relAcc)} of premium accuracy at ${pct(line.cost / premiumCost)} of premium-only cost (≤ ${pct(CASCADE_COST_TARGET, 0)}), ${pct(line.share)} ${line === gateLine ? "premium calls" : "escalated"}`,
      ),
    );
  }
  console.log(
    `Gate per fold (share of requests sent straight to premium, chosen with the verifier's threshold on calibration data): ${gate.chosen.map((g) => pct(g.gateShare, 0)).join(", ")}`,
  );
  console.log(`\nTiming: ${((performance.now() - started) / 1000).toFixed(1)} s.`);
  return 0;
}

function premiumOf(rows: readonly Outcome[]): number {
  return rows.filter((r) => r.premiumCorrect).length / Math.max(1, rows.length);
}

runScript(main);
