import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A tiny routing data set in the shape of ../shared/data/routing, with outcomes chosen so the baselines have known
 * values (`TINY_EXPECTED`):
 * - MMLU: 4 subjects × 5 prompts. Premium right on 18 of 20 (90%), cheap on 12 (60%); 7 rows only premium gets.
 *   Random routing needs (0.95·0.9 − 0.6) / (0.9 − 0.6) = 85% premium; an oracle ⌈0.95·0.9·20⌉ − 12 = 6 rows, 30%.
 * - GSM8K: 10 problems. Premium right on all, cheap on 5 (50%): random (0.95 − 0.5) / 0.5 = 90%; oracle 10 − 5 = 5,
 *   50%. The cheap model's wrong answers write a wrong arithmetic step, its right ones a right one: the verifier's
 *   arithmetic check escalates exactly the 5 wrong ones (50%), and the cascade keeps premium accuracy.
 */
export const TINY_EXPECTED = {
  mmlu: { premiumAccuracy: "90.0%", cheapAccuracy: "60.0%", cheapOfPremium: "66.7%", random: "85.0%", oracle: "30.0%" },
  gsm8k: {
    premiumAccuracy: "100.0%",
    cheapAccuracy: "50.0%",
    random: "90.0%",
    oracle: "50.0%",
    cascadeEscalated: "50.0%",
  },
  rows: 30,
} as const;

const SUBJECTS = ["astronomy", "law", "nutrition", "algebra"];

/** [cheap correct, premium correct] per MMLU row (subject-major, 5 a subject). */
const MMLU_OUTCOMES: [boolean, boolean][] = [
  ...Array.from({ length: 11 }, (): [boolean, boolean] => [true, true]),
  [true, false],
  ...Array.from({ length: 7 }, (): [boolean, boolean] => [false, true]),
  [false, false],
];

const csvCell = (s: string) => `"${s.replaceAll('"', '""')}"`;
const tf = (b: boolean) => (b ? "True" : "False");

export function writeTinyRoutingData(dir: string): void {
  mkdirSync(join(dir, "mmlu"), { recursive: true });
  SUBJECTS.forEach((subject, s) => {
    const lines = ["prompt,cheap-model,premium-model"];
    for (let k = 0; k < 5; k++) {
      const [cheap, premium] = MMLU_OUTCOMES[s * 5 + k] as [boolean, boolean];
      const prompt = `Question ${k} about ${subject}: which of these is true?\nA. one\nB. two\nC. three\nD. four\nAnswer:`;
      lines.push(`${csvCell(prompt)},${tf(cheap)},${tf(premium)}`);
    }
    writeFileSync(join(dir, "mmlu", `mmlu_${subject}.csv`), `${lines.join("\n")}\n`);
  });
  const lines = ["prompt,cheap-model,premium-model,cheap-model_response,premium-model_response"];
  for (let k = 0; k < 10; k++) {
    const a = k + 2;
    const b = 3 * k + 1;
    const right = k % 2 === 0;
    const stated = right ? a + b : a + b + 7;
    const prompt = `Sam has ${a} apples and buys ${b} more. How many apples does Sam have?`;
    const cheap = `Sam has ${a} + ${b} = ${stated} apples.\n#### ${stated}`;
    const premium = `${a} + ${b} = ${a + b}\n#### ${a + b}`;
    lines.push([csvCell(prompt), tf(right), "True", csvCell(cheap), csvCell(premium)].join(","));
  }
  writeFileSync(join(dir, "gsm8k-dev.csv"), `${lines.join("\n")}\n`);
}
