import { describe, expect, it } from "vitest";
import { type BoostedTree, boostedMargin, trainBoosted, treeValue } from "../../../scripts/eval/boost";
import { rocAuc } from "../../../scripts/eval/metrics";
import { seededRandom } from "../../../scripts/eval/random";

describe("treeValue", () => {
  // Depth 2: root tests feature 0 ≤ 0.5; left child tests feature 1 ≤ 2; right child never splits (always left).
  const tree: BoostedTree = {
    feature: [0, 1, 0],
    threshold: [0.5, 2, Number.POSITIVE_INFINITY],
    leaf: [10, 20, 30, 40],
  };

  it.each<[number[], number]>([
    [[0, 1], 10],
    [[0.5, 2], 10],
    [[0.5, 2.1], 20],
    [[0.9, 100], 30],
  ])("routes %j to %d", (x, value) => {
    expect(treeValue(tree, x)).toBe(value);
  });
});

function sample(n: number, seed: number, label: (x: number[]) => boolean) {
  const random = seededRandom(seed);
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push([random(), random() < 0.03 ? 1 : 0, random()]);
  return { rows, labels: rows.map(label) };
}

describe("trainBoosted", () => {
  it("learns 'high score and no rare flag', the shape of a veto", () => {
    // The flag is set on ~3% of rows: quantile binning alone would never place a cut between 0 and 1.
    const rule = (x: number[]) => (x[0] ?? 0) > 0.6 && x[1] === 0;
    const train = sample(3000, 1, rule);
    const model = trainBoosted(train.rows, train.labels, { trees: 60 });
    const held = sample(1000, 2, rule);
    const wrong = held.rows.filter((x, i) => boostedMargin(model, x) > 0 !== held.labels[i]).length;
    expect(wrong / held.rows.length).toBeLessThan(0.02);
    const flagged = held.rows.filter((x) => x[1] === 1 && (x[0] ?? 0) > 0.8);
    expect(flagged.length).toBeGreaterThan(0);
    expect(flagged.every((x) => boostedMargin(model, x) < 0)).toBe(true);
  });

  it("ranks better than chance on held-out rows and ignores a pure-noise feature", () => {
    const rule = (x: number[]) => (x[2] ?? 0) > 0.5;
    const train = sample(2000, 3, rule);
    const model = trainBoosted(train.rows, train.labels, { trees: 20, depth: 1 });
    const held = sample(500, 4, rule);
    const scored = held.rows.map((x, i) => ({ score: boostedMargin(model, x), duplicate: held.labels[i] ?? false }));
    expect(rocAuc(scored)).toBeGreaterThan(0.99);
    expect(model.trees.every((t) => t.feature[0] === 2)).toBe(true);
  });

  it("is deterministic", () => {
    const data = sample(500, 5, (x) => (x[0] ?? 0) + (x[2] ?? 0) > 1);
    expect(trainBoosted(data.rows, data.labels, { trees: 5 })).toEqual(
      trainBoosted(data.rows, data.labels, { trees: 5 }),
    );
  });

  it("starts from the weighted log-odds of the labels", () => {
    const rows = [[0], [0], [0], [0]];
    const labels = [true, false, false, false];
    expect(trainBoosted(rows, labels, { trees: 0 }).bias).toBeCloseTo(Math.log(1 / 3));
    expect(trainBoosted(rows, labels, { trees: 0, negativeWeight: 2 }).bias).toBeCloseTo(Math.log(1 / 6));
  });
});
