import { describe, expect, it } from "vitest";
import type { Outcome } from "../../../scripts/routing/data";
import { thresholdAtShare } from "../../../scripts/routing/quality";
import { capPerSubject, roundRobinBySubject } from "../../../scripts/routing/rows";

const row = (group: string, prompt: string): Outcome => ({ group, prompt, cheapCorrect: true, premiumCorrect: true });
const ROWS = [row("a", "a1"), row("a", "a2"), row("a", "a3"), row("b", "b1"), row("c", "c1"), row("c", "c2")];

describe.each([
  ["round-robin over subjects, file order within a round", ROWS, ["a1", "b1", "c1", "a2", "c2", "a3"]],
  ["one subject keeps its order", ROWS.slice(0, 3), ["a1", "a2", "a3"]],
  ["nothing", [], []],
])("roundRobinBySubject: %s", (_name, rows, expected) => {
  it("orders the fill", () => {
    expect(roundRobinBySubject(rows).map((r) => r.prompt)).toEqual(expected);
  });
});

describe.each([1, 2, 3])("a fill interrupted after %i rounds", (k) => {
  it(`holds exactly the rows --per-subject ${k} uses`, () => {
    const rounds = roundRobinBySubject(ROWS).slice(0, capPerSubject(ROWS, k).length);
    expect(new Set(rounds.map((r) => r.prompt))).toEqual(new Set(capPerSubject(ROWS, k).map((r) => r.prompt)));
  });
});

describe.each([
  ["half: midway between the 2nd and 3rd highest", [0.9, 0.1, 0.7, 0.3], 0.5, 0.5],
  ["a quarter", [0.9, 0.1, 0.7, 0.3], 0.25, 0.8],
  ["everything: the lowest score", [0.9, 0.1, 0.7, 0.3], 1, 0.1],
  ["nothing: just above the highest", [0.9, 0.1, 0.7, 0.3], 0, 0.900001],
])("thresholdAtShare: %s", (_name, scores, share, expected) => {
  it("sends that share of the scores premium", () => {
    const t = thresholdAtShare(scores, share);
    expect(t).toBeCloseTo(expected, 9);
    expect(scores.filter((s) => s >= t).length).toBe(Math.round(share * scores.length));
  });
});
