import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { parseCsv } from "./csv";

/**
 * Real outcomes of a cheap and a premium model (../shared/data/routing, from lm-sys/RouteLLM): for each prompt,
 * whether each model answered correctly, and for GSM8K both answers. Subjects group MMLU prompts so that whole
 * subjects can be held out.
 */
export interface Outcome {
  /** `mmlu:<subject>` or `gsm8k`. */
  group: string;
  prompt: string;
  cheapCorrect: boolean;
  premiumCorrect: boolean;
  /** GSM8K only. */
  cheapAnswer?: string;
  premiumAnswer?: string;
}

export const ROUTING_DATA_DIR = resolve(import.meta.dirname, "../../../shared/data/routing");
export const GSM8K_FILE = "gsm8k-dev.csv";
export const MMLU_DIR = "mmlu";

export type LoadedOutcomes = { ok: true; mmlu: Outcome[]; gsm8k: Outcome[] } | { ok: false; missing: string[] };

function bool(raw: string | undefined, where: string): boolean {
  if (raw === "True") return true;
  if (raw === "False") return false;
  throw new Error(`${where}: expected True or False, got ${JSON.stringify(raw)}`);
}

/** Columns: prompt, cheap correct?, premium correct?, then (GSM8K) cheap answer, premium answer. */
export function outcomesFromCsv(text: string, group: string, file: string): Outcome[] {
  const [header, ...rows] = parseCsv(text);
  if (header === undefined || header[0] !== "prompt" || header.length < 3) {
    throw new Error(`${file}: expected a header "prompt,<cheap model>,<premium model>[,...]"`);
  }
  return rows.map((r, i) => {
    const where = `${file}: row ${i + 2}`;
    const o: Outcome = {
      group,
      prompt: r[0] ?? "",
      cheapCorrect: bool(r[1], where),
      premiumCorrect: bool(r[2], where),
    };
    if (r[3] !== undefined) o.cheapAnswer = r[3];
    if (r[4] !== undefined) o.premiumAnswer = r[4];
    return o;
  });
}

export function loadOutcomes(dir: string = ROUTING_DATA_DIR): LoadedOutcomes {
  const gsmPath = join(dir, GSM8K_FILE);
  const mmluDir = join(dir, MMLU_DIR);
  const missing = [gsmPath, mmluDir].filter((p) => !existsSync(p));
  if (missing.length > 0) return { ok: false, missing };
  const mmlu = readdirSync(mmluDir)
    .filter((f) => /^mmlu_.+\.csv$/.test(f))
    .sort()
    .flatMap((f) => {
      const subject = basename(f, ".csv").slice("mmlu_".length);
      return outcomesFromCsv(readFileSync(join(mmluDir, f), "utf8"), `mmlu:${subject}`, f);
    });
  const gsm8k = outcomesFromCsv(readFileSync(gsmPath, "utf8"), "gsm8k", GSM8K_FILE);
  return { ok: true, mmlu, gsm8k };
}
