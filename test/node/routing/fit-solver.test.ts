import { describe, expect, it } from "vitest";
import { seededRandom } from "../../../scripts/eval/random";
import { fitLinearModel, standardisationOf } from "../../../scripts/routing/fit";
import { pack, predictMlp, trainMlp } from "../../../scripts/routing/mlp";
import { linearProbability } from "../../../src/routing/router/linear";

/** 300 examples with two features on different scales; the label follows a noisy linear rule. */
function data() {
  const rnd = seededRandom(11);
  const extra = Array.from({ length: 300 }, () => [rnd() * 10, rnd() - 0.5]);
  const labels = extra.map(([a = 0, b = 0]) => a / 10 + 2 * b + (rnd() - 0.5) * 0.4 > 0.5);
  return { examples: extra.map((e) => ({ extra: e })), labels };
}

const { examples, labels } = data();
const adam = { steps: 200, lr: 0.01 };
const norm = (w: readonly number[]) => Math.hypot(...w);

describe("fitLinearModel's solvers", () => {
  it("Adam steps give the LinearModel the Worker scores exactly as the trained network does", () => {
    const model = fitLinearModel(examples, labels, [], { l2: 1, adam });
    const x = examples.map((e) => e.extra.map((v, j) => (v - (model.mean[j] ?? 0)) / (model.scale[j] ?? 1)));
    const net = trainMlp(
      pack(x),
      labels.map((l) => (l ? 1 : 0)),
      { hidden: 0, l2: 1, epochs: adam.steps, lr: adam.lr, restarts: 1, seed: 1 },
    );
    const expected = predictMlp(net, pack(x));
    examples.forEach((e, i) => {
      expect(linearProbability(model, undefined, e.extra)).toBeCloseTo(expected[i] ?? 0, 10);
    });
  });

  it("stopping after a few Adam steps shrinks the weights below Newton's optimum at the same L2, same signs", () => {
    const newton = fitLinearModel(examples, labels, [], { l2: 1 });
    const early = fitLinearModel(examples, labels, [], { l2: 1, adam });
    expect(norm(early.weights)).toBeLessThan(norm(newton.weights));
    expect(early.weights.map(Math.sign)).toEqual(newton.weights.map(Math.sign));
    expect(early.weights.every((w) => w > 0)).toBe(true);
  });

  it("a given standardisation (the calibrated rows' own, shared by the inner models) is the one the model carries", () => {
    const all = standardisationOf(examples, []);
    const part = fitLinearModel(examples.slice(0, 100), labels.slice(0, 100), [], { l2: 1, adam }, all);
    expect(part.mean).toEqual(all.mean);
    expect(part.scale).toEqual(all.scale);
    const own = fitLinearModel(examples.slice(0, 100), labels.slice(0, 100), [], { l2: 1, adam });
    expect(own.mean).not.toEqual(all.mean);
    expect(fitLinearModel(examples, labels, [], { l2: 1, adam }).mean).toEqual(all.mean);
  });
});
