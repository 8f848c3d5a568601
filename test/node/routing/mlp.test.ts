import { describe, expect, it } from "vitest";
import { seededRandom } from "../../../scripts/eval/random";
import { pack, predictMlp, trainMlp } from "../../../scripts/routing/mlp";

/** 400 points in [-1, 1]²: XOR of the signs (no linear rule separates it) and a linear rule (x + y > 0). */
function points() {
  const rnd = seededRandom(5);
  return Array.from({ length: 400 }, () => [rnd() * 2 - 1, rnd() * 2 - 1] as [number, number]);
}

const P = points();
const XOR = P.map(([a, b]) => (a * b > 0 ? 1 : 0));
const LINEAR = P.map(([a, b]) => (a + b > 0 ? 1 : 0));
const opts = { l2: 0.01, epochs: 600, lr: 0.05, restarts: 1, seed: 1 };

function accuracy(p: readonly number[], y: readonly number[]): number {
  return p.filter((v, i) => (v >= 0.5 ? 1 : 0) === y[i]).length / y.length;
}

describe.each([
  { name: "XOR", y: XOR, hidden: 8, above: 0.9 },
  { name: "linear rule (skip path, no hidden units)", y: LINEAR, hidden: 0, above: 0.95 },
  { name: "linear rule with hidden units", y: LINEAR, hidden: 8, above: 0.95 },
])("trainMlp on $name", ({ y, hidden, above }) => {
  it(`classifies above ${above} of its training points`, () => {
    const data = pack(P);
    const nets = trainMlp(data, y, { ...opts, hidden });
    expect(accuracy(predictMlp(nets, data), y)).toBeGreaterThan(above);
  });
});

describe("trainMlp", () => {
  it("without hidden units (a logistic model) cannot learn XOR", () => {
    const data = pack(P);
    const nets = trainMlp(data, XOR, { ...opts, hidden: 0 });
    expect(accuracy(predictMlp(nets, data), XOR)).toBeLessThan(0.7);
  });

  it("is deterministic for a seed and averages its restarts", () => {
    const data = pack(P);
    const a = predictMlp(trainMlp(data, XOR, { ...opts, hidden: 4, epochs: 50 }), data);
    const b = predictMlp(trainMlp(data, XOR, { ...opts, hidden: 4, epochs: 50 }), data);
    expect(a).toEqual(b);
    const two = trainMlp(data, XOR, { ...opts, hidden: 4, epochs: 50, restarts: 2 });
    expect(two).toHaveLength(2);
    const avg = predictMlp(two, data);
    const each = two.map((n) => predictMlp([n], data));
    expect(avg[0]).toBeCloseTo(((each[0]?.[0] ?? 0) + (each[1]?.[0] ?? 0)) / 2, 12);
  });

  it("a strong L2 penalty keeps predictions near the base rate", () => {
    const data = pack(P);
    const p = predictMlp(trainMlp(data, XOR, { ...opts, hidden: 8, l2: 1e5 }), data);
    const rate = XOR.reduce((s: number, v) => s + v, 0) / XOR.length;
    for (const v of p) expect(Math.abs(v - rate)).toBeLessThan(0.05);
  });
});
