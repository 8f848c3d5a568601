import { callCost, MMLU_OUTPUT_TOKENS, type Prices, promptTokens, textTokens } from "./costs";
import type { Outcome } from "./data";
import { type Labelled, premiumAccuracy } from "./quality";

export const pct = (x: number, digits = 1): string => `${(x * 100).toFixed(digits)}%`;

/** Per request: what the cheap and the premium call cost, in micro-credits. */
export interface CallCosts {
  cheap: number;
  premium: number;
}

export function costsOf(o: Outcome, prices: Prices): CallCosts {
  const input = promptTokens(o.prompt);
  const cheapOut = o.cheapAnswer === undefined ? MMLU_OUTPUT_TOKENS : textTokens(o.cheapAnswer);
  const premiumOut = o.premiumAnswer === undefined ? MMLU_OUTPUT_TOKENS : textTokens(o.premiumAnswer);
  return { cheap: callCost(prices.cheap, input, cheapOut), premium: callCost(prices.premium, input, premiumOut) };
}

export interface Line {
  name: string;
  /** Share of requests that called the premium model. */
  share: number;
  accuracy: number;
  /** Micro-credits for the whole set. */
  cost: number;
  note?: string;
}

export function table(rows: readonly Labelled[], costs: readonly CallCosts[], lines: readonly Line[]): string {
  const premiumAcc = premiumAccuracy(rows);
  const premiumCost = costs.reduce((s, c) => s + c.premium, 0);
  const out = [
    "| routing | premium calls | accuracy | % of premium accuracy | cost (credits) | % of premium-only cost |",
    "| --- | --- | --- | --- | --- | --- |",
  ];
  for (const l of lines) {
    const name = l.note === undefined ? l.name : `${l.name} (${l.note})`;
    out.push(
      `| ${name} | ${pct(l.share)} | ${pct(l.accuracy)} | ${pct(l.accuracy / premiumAcc)} | ` +
        `${Number.isNaN(l.cost) ? "—" : (l.cost / 1_000_000).toFixed(3)} | ${Number.isNaN(l.cost) ? "—" : pct(l.cost / premiumCost)} |`,
    );
  }
  return out.join("\n");
}

/** Cost when requests `premium(i)` go premium and the rest cheap (a router: one call each). */
export function routedCost(costs: readonly CallCosts[], premium: (i: number) => boolean): number {
  return costs.reduce((s, c, i) => s + (premium(i) ? c.premium : c.cheap), 0);
}

/** Cost of a cascade: every request pays the cheap call, escalated ones the premium call too. */
export function cascadeCost(costs: readonly CallCosts[], escalated: (i: number) => boolean): number {
  return costs.reduce((s, c, i) => s + c.cheap + (escalated(i) ? c.premium : 0), 0);
}

/** Random routing at `share`, in expectation. */
export function randomCost(costs: readonly CallCosts[], share: number): number {
  return costs.reduce((s, c) => s + share * c.premium + (1 - share) * c.cheap, 0);
}

/** The cheapest premium set of the oracle: requests the cheap model gets wrong and the premium right, cheapest first. */
export function oraclePremium(rows: readonly Labelled[], costs: readonly CallCosts[], share: number): boolean[] {
  const gain = rows.map((r, i) => ({ i, useful: !r.cheapCorrect && r.premiumCorrect, cost: costs[i]?.premium ?? 0 }));
  const k = Math.round(share * rows.length);
  const chosen = new Set(
    gain
      .filter((g) => g.useful)
      .sort((a, b) => a.cost - b.cost)
      .slice(0, k)
      .map((g) => g.i),
  );
  return rows.map((_, i) => chosen.has(i));
}
