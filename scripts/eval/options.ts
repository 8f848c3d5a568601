import { resolve } from "node:path";
import { type FlagAction, numberInto, type ParsedFlags, parseFlags, setInto, stringInto } from "../flags";
import { DATA_DIR } from "./data";

/** `npm run eval:cache -- [flags]`; see scripts/eval-cache.ts for what each flag changes. */
export interface EvalOptions {
  /** Evaluate a seeded sample of this many QQP pairs (all arena pairs are always kept). */
  limit: number | undefined;
  seed: number;
  /** Repeat the calibration/test split with this many seeds (seed, seed+1, ...) and report each and the mean. */
  seeds: number;
  targetFhr: number;
  /** Wilson z for the calibration error bound; 0 = plain point estimate. */
  z: number;
  dataDir: string;
  cacheDir: string;
  /** Also re-run the configuration search on each calibration half and report it (slower). */
  search: boolean;
}

const USAGE =
  "usage: tsx scripts/eval-cache.ts [--limit N] [--seed N] [--seeds K] [--target-fhr 0.02] [--z 1.645] " +
  "[--data DIR] [--cache-dir DIR] [--search]";

export const DEFAULT_CACHE_DIR = resolve(import.meta.dirname, "../../bench/.out/eval-cache");

export type ParsedOptions = ParsedFlags<EvalOptions>;

const FLAGS: Record<string, FlagAction<EvalOptions>> = {
  "--limit": numberInto("limit", 10, 1_000_000, true),
  "--seed": numberInto("seed", 0, 2 ** 31, true),
  "--seeds": numberInto("seeds", 1, 50, true),
  "--target-fhr": numberInto("targetFhr", 0, 1),
  "--z": numberInto("z", 0, 5),
  "--data": stringInto("dataDir", resolve),
  "--cache-dir": stringInto("cacheDir", resolve),
  "--search": setInto("search", true),
};

export function parseEvalOptions(argv: readonly string[]): ParsedOptions {
  const defaults: EvalOptions = {
    limit: undefined,
    seed: 1,
    seeds: 1,
    targetFhr: 0.02,
    z: 1.645,
    dataDir: DATA_DIR,
    cacheDir: DEFAULT_CACHE_DIR,
    search: false,
  };
  return parseFlags(argv, USAGE, defaults, FLAGS);
}
