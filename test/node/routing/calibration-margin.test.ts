import { describe, expect, it } from "vitest";
import { seededRandom } from "../../../scripts/eval/random";
import { calibrate, finalThreshold, fitScorer, type Row, scoreRows } from "../../../scripts/routing/cross-fit";
import { accuracyOf, premiumAccuracy, shareNeeded } from "../../../scripts/routing/quality";

/**
 * 8 subjects × 40 rows: one lexical feature carries a noisy signal of "the cheap model is wrong", so the out-of-fold
 * scores rank imperfectly and a higher quality aim needs a visibly larger premium share.
 */
function rows(): Row[] {
  const rnd = seededRandom(7);
  const out: Row[] = [];
  for (let g = 0; g < 8; g++) {
    for (let i = 0; i < 40; i++) {
      const hard = rnd() < 0.35;
      out.push({
        group: `subject-${g}`,
        cheapCorrect: !hard,
        premiumCorrect: !hard || rnd() < 0.8,
        extra: [(hard ? 1 : 0) + rnd() * 1.6, rnd()],
      });
    }
  }
  return out;
}

const ROWS = rows();
const TARGET = 0.95;
const base = { folds: 4, seed: 3, target: TARGET, configs: [{ components: 0, l2: 1 }] };

describe.each([0, 0.0025, 0.01, 0.02])("calibrate with margin %f", (margin) => {
  const cal = calibrate(ROWS, [], { ...base, margin });
  const aim = TARGET + margin;

  it("chooses at the target, carries the share that reached target + margin out of fold", () => {
    expect(cal.share).toBe(shareNeeded(ROWS, cal.scores, TARGET));
    expect(cal.premiumShare).toBe(shareNeeded(ROWS, cal.scores, aim));
    expect(cal.premiumShare).toBeGreaterThanOrEqual(cal.share);
    // The score threshold keeps the aim on the out-of-fold scores it was set on.
    const premium = (i: number) => (cal.scores[i] ?? 0) >= cal.threshold;
    expect(accuracyOf(ROWS, premium)).toBeGreaterThanOrEqual(aim * premiumAccuracy(ROWS) - 1e-9);
  });

  it("the final model's share threshold sends that share of its fitting rows premium", () => {
    const model = fitScorer(ROWS, [], { l2: 1 });
    const t = finalThreshold(model, ROWS, cal, { thresholdBy: "share" });
    const sent = scoreRows(model, ROWS).filter((s) => s >= t).length;
    expect(sent).toBe(Math.round(cal.premiumShare * ROWS.length));
  });
});

describe("a margin costs premium share on this data", () => {
  it("+2 points of quality needs more premium than none", () => {
    const none = calibrate(ROWS, [], base);
    const some = calibrate(ROWS, [], { ...base, margin: 0.02 });
    expect(some.config).toEqual(none.config);
    expect(some.share).toBe(none.share);
    expect(some.premiumShare).toBeGreaterThan(none.premiumShare);
  });
});
